import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEnvelope, EnvelopeError, encodeEnvelope, openEnvelope, sealEnvelope, type EnvelopeProblem } from '../../src/crypto/envelope.js';
import { generateSm2KeyPair, sm2Encrypt, sm2PublicKeyFromPrivate } from '../../src/crypto/sm2.js';

/** A fixed receiver key, and envelopes made for it by other SM2 implementations (recorded once). */
const D = '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8';
const Q = '0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13';

/** By `openssl pkeyutl -encrypt` (DER converted to raw C1C3C2), encoded as we send: Base64 of lowercase hex with the 04. */
const FROM_OPENSSL = {
  plain: { CertificateID: '1.2.156.3005.2.11100000000013338W001.11330106002500287Y.ZJ0001.001.Z', UseFor: '办理长三角通办业务' },
  envelope: 'MDQyNzY3Njg5MjUzOGM1MTBhMDlkYjNjOWNlMjRiYTA4OWRhYTY0NWVjN2RiYTE2YzZjMTljYzJjNDcyZGVkNTZiM2JkZWNmN2YyM2E3OGI2Y2IzMmFkNThlZDdiZjc1MTk4NGNlN2Y4ZmFiZTMyZWQyZjRmZWVjNDU1YWRiMzBiZGUzYTk1MjgwNjQ2Zjk3YmQ3ZDBkZTg4MWEzMWMzOTE0YmY4NDhkOTE0M2Q0YzhlZjVlOTQ3NmEyOWI4NzNlOWZhYjdiN2JlZmNjZmM4MzliZTc1YzA4ZmM3OTg5YjYxNzZhZmIzNjEyZmFlN2UyYjc3NzM0MDYwZDM2Y2Y0OTg1NTFlZWY2YjE5MjFhNGQ5Y2Y1ZDMyNTAyMTE4MWYxNmQxMDI1MzRmN2UxN2U0NWVhZmUwMTUyNTY1ZDM5ZDY1NGU2Y2MzNjE2MDc1ZDY3MDllYmQ0MmVmNDVlYmFiYmZmNDY4OGI3ZTgzY2UyNWM5NmVkNGU2MDU1OTJmZGJhM2VkMWVhZjI2NDI0YTZjZGVmNmQ3ZWJmMzg1MGM2YjUyMjA5NGEzOWFhYTBmMTE2NjYyNDY4MmI5MWFhMWQyZQ==',
};

/** By sm-crypto's doEncrypt (C1C3C2, no 04), uppercased, in 76-column MIME Base64 as Java writes it. */
const FROM_SM_CRYPTO = {
  plain: { total: 1, dataList: [{ CertificateNumber: 'J330106-2014-000101' }] },
  envelope: [
    'NzMzRUJCNDZFQkI3Q0ExN0Q2OUMyMzQ1QzkyRjFDQzQ2NDg4OTE4NDcwNUY1MjhGNDA5MjkxMEMw',
    'Q0JDMEMwNjA3NDQ5MzdDRkEwQzg1MEY4QUQyNDM2RjdBMjUxOTBGMzE1Mjg1RTk2NjhGNTMyNjdG',
    'RTc2NEVBRkY3REU2Q0U3MUE4NUFBREM2OTgwNENFMTA2QzdEQjc2QzYwOTkyNUEzRjEwODkxMkM5',
    'ODZDMEQ4M0JEQzgwMDhFNDcwMkI5REIwNTk5REU0Q0JBRDcxQkU1RDQ3MkI5MTVFMTgzRjgyMDhD',
    'NDBERjZBRUUyMUIxNDM2MDYwOTE2QTQ0QkQ0NDk2RTk3NERDOUFFMjY3MEU4NjEzMEQxNjBCQzc3',
    'OERENTZENkIxN0EyODE0Q0U2RDQyOUNCQTA5RkQyRDVDRTVDQUI4MzhCNA==',
  ].join('\r\n'),
};

const problemOf = (fn: () => unknown): EnvelopeProblem | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof EnvelopeError, `an EnvelopeError, not ${(err as Error).message}`);
    return err.problem;
  }
};

test('the fixed key pair is consistent', () => {
  assert.equal(sm2PublicKeyFromPrivate(D), Q);
});

test('opens the envelope OpenSSL made, and the one sm-crypto made (no 04, uppercase, MIME line breaks)', () => {
  assert.deepEqual(openEnvelope(FROM_OPENSSL.envelope, D), FROM_OPENSSL.plain);
  assert.deepEqual(openEnvelope(FROM_SM_CRYPTO.envelope, D), FROM_SM_CRYPTO.plain);
});

test('the layout: Base64 of lowercase hex of 04 ‖ x1 ‖ y1 ‖ C3 ‖ C2, 97 bytes longer than the JSON', () => {
  const data = { CertificateType: '结婚证', UseFor: '01' };
  const env = sealEnvelope(data, Q);
  assert.match(env, /^[A-Za-z0-9+/]+={0,2}$/);
  const hex = Buffer.from(env, 'base64').toString('latin1');
  assert.match(hex, /^04[0-9a-f]+$/, 'lowercase hex starting with the uncompressed-point tag');
  assert.equal(hex.length, 2 * (97 + Buffer.byteLength(JSON.stringify(data), 'utf8')));
  assert.deepEqual(decodeEnvelope(env), Buffer.from(hex, 'hex'));
  assert.deepEqual(openEnvelope(env, D), data);
  // Each seal is fresh (random k), so the same data never gives the same envelope twice.
  assert.notEqual(sealEnvelope(data, Q), env);
});

test('refuses each kind of bad envelope with its own reason', () => {
  const good = FROM_OPENSSL.envelope;
  const hex = Buffer.from(good, 'base64').toString('latin1');
  const b64 = (text: string) => Buffer.from(text, 'latin1').toString('base64');
  // One flipped hex digit in C3, in C2, and in C1's x: the C3 check fails each time.
  for (const at of [2 + 130 + 5, hex.length - 3, 10]) {
    const flipped = hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);
    assert.equal(problemOf(() => openEnvelope(b64(flipped), D)), 'tampered', `digit ${at}`);
  }
  assert.equal(problemOf(() => openEnvelope(good, generateSm2KeyPair().privateKey)), 'tampered', 'another key');
  assert.equal(problemOf(() => openEnvelope(b64(hex.slice(0, 2 * 96)), D)), 'truncated', 'C1 and half of C3');
  assert.equal(problemOf(() => openEnvelope(b64(hex.slice(0, -1)), D)), 'truncated', 'an odd number of digits');
  assert.equal(problemOf(() => openEnvelope(b64(hex.slice(0, -2)), D)), 'tampered', 'C2 one byte short: C3 no longer matches');
  assert.equal(problemOf(() => openEnvelope(b64(hex.replace(/^04/, '0x')), D)), 'not-hex');
  assert.equal(problemOf(() => openEnvelope(Buffer.from(hex, 'hex').toString('base64'), D)), 'not-hex', 'Base64 of the raw bytes, without the hex step');
  assert.equal(problemOf(() => openEnvelope(good.slice(1), D)), 'not-base64');
  assert.equal(problemOf(() => openEnvelope('电子证照', D)), 'not-base64');
  assert.equal(problemOf(() => openEnvelope('', D)), 'not-base64');
  assert.equal(problemOf(() => openEnvelope(42, D)), 'not-base64');
  assert.equal(problemOf(() => openEnvelope(FROM_OPENSSL.plain, D)), 'plain', 'the business data as a JSON object');
  assert.equal(problemOf(() => openEnvelope(JSON.stringify(FROM_OPENSSL.plain), D)), 'plain', 'JSON text');
  assert.equal(problemOf(() => openEnvelope(b64(JSON.stringify(FROM_OPENSSL.plain)), D)), 'plain', 'Base64 of JSON text');
  // Encrypted and intact, but not a JSON object inside.
  assert.equal(problemOf(() => openEnvelope(encodeEnvelope(sm2Encrypt(Buffer.from('[1,2]'), Q)), D)), 'not-json');
  assert.equal(problemOf(() => openEnvelope(encodeEnvelope(sm2Encrypt(Buffer.from([0xff, 0xfe, 0x7b]), Q)), D)), 'not-json', 'not UTF-8');
});
