import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { decodeEnvelope, encodeEnvelope, EnvelopeError, openEnvelope, sealEnvelope } from '../../src/crypto/envelope.js';
import { generateSm2KeyPair, sm2PrivateKeyPem, sm2PublicKeyPem } from '../../src/crypto/sm2.js';
import { sm2CiphertextFromDer, sm2CiphertextToDer } from '../../src/crypto/sm2-ciphertext.js';

/**
 * The envelope against SM2 implementations that share no code with ours, both ways: the OpenSSL
 * command line (which reads and writes the GM/T 0009 DER ciphertext, so only the DER conversion is
 * ours) and BouncyCastle's SM2Engine in C1C3C2 mode, encoding the envelope itself (Hex, then Base64)
 * as a Java province would.
 */
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const BCPROV = '/usr/share/java/bcprov.jar';
const tools = { openssl: has('openssl'), java: has('javac') && has('java') && existsSync(BCPROV) };
// Under CI the tools are installed by .ci/run, so their absence is a failure, not a skip.
const skipUnless = (ok: boolean, what: string) => (!ok && !process.env.CI ? `${what} not installed` : false);

const dir = mkdtempSync(join(tmpdir(), 'zz-envelope-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });

const key = generateSm2KeyPair();
// A typical request: table 1's fields with Chinese text, about 1 KiB.
const REQUEST = {
  trustedToken: 'T'.repeat(600), CertificateType: '中华人民共和国机动车驾驶证', CertificateNumber: '510104542338',
  UseFor: '办理长三角跨省通办业务', itemName: '机动车驾驶证换证', itemCode: '320000-000201-001', itemOrg: '江苏省公安厅交通管理局',
  operator: '王五', bizNum: 'YRD-2024-000123',
};

test('OpenSSL decrypts our envelope, and we open one OpenSSL encrypted', { skip: skipUnless(tools.openssl, 'openssl') }, () => {
  writeFileSync(join(dir, 'pub.pem'), sm2PublicKeyPem(key.publicKey));
  writeFileSync(join(dir, 'key.pem'), sm2PrivateKeyPem(key.privateKey));
  // ours → OpenSSL: the envelope's bytes, as DER, decrypt to the JSON we sealed.
  writeFileSync(join(dir, 'ours.der'), sm2CiphertextToDer(decodeEnvelope(sealEnvelope(REQUEST, key.publicKey))));
  const d = sh('openssl', ['pkeyutl', '-decrypt', '-inkey', 'key.pem', '-in', 'ours.der', '-out', 'ours.json']);
  assert.equal(d.status, 0, d.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'ours.json'), 'utf8')), REQUEST);
  // OpenSSL → ours.
  writeFileSync(join(dir, 'request.json'), JSON.stringify(REQUEST));
  const e = sh('openssl', ['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-in', 'request.json', '-out', 'theirs.der']);
  assert.equal(e.status, 0, e.stderr);
  const theirs = encodeEnvelope(sm2CiphertextFromDer(readFileSync(join(dir, 'theirs.der'))));
  assert.deepEqual(openEnvelope(theirs, key.privateKey), REQUEST);
});

test('BouncyCastle (SM2Engine C1C3C2) opens our envelope, and we open one it sealed; each refuses a changed one', { skip: skipUnless(tools.java, 'javac or BouncyCastle (libbcprov-java)') }, () => {
  const source = new URL('../support/java/Sm2Envelope.java', import.meta.url).pathname;
  const javac = sh('javac', ['-d', 'classes', '-cp', BCPROV, source]);
  assert.equal(javac.status, 0, javac.stderr);
  const java = (args: string[]) => sh('java', ['-cp', `classes:${BCPROV}`, 'Sm2Envelope', ...args]);

  // ours → BouncyCastle
  const ours = sealEnvelope(REQUEST, key.publicKey);
  writeFileSync(join(dir, 'ours.env'), ours);
  const opened = java(['decrypt', key.privateKey, 'ours.env']);
  assert.equal(opened.status, 0, opened.stderr);
  assert.deepEqual(JSON.parse(opened.stdout), REQUEST);
  const hex = Buffer.from(ours, 'base64').toString('latin1');
  const changed = hex.slice(0, -4) + (hex.at(-4) === 'a' ? 'b' : 'a') + hex.slice(-3);
  writeFileSync(join(dir, 'changed.env'), Buffer.from(changed, 'latin1').toString('base64'));
  const refused = java(['decrypt', key.privateKey, 'changed.env']);
  assert.equal(refused.status, 1, 'BouncyCastle refuses a changed C2');
  assert.match(refused.stderr, /FAILED/);

  // BouncyCastle → ours
  writeFileSync(join(dir, 'request.json'), JSON.stringify(REQUEST));
  const sealed = java(['encrypt', key.publicKey, 'request.json']);
  assert.equal(sealed.status, 0, sealed.stderr);
  assert.match(Buffer.from(sealed.stdout, 'base64').toString('latin1'), /^04[0-9a-f]+$/, 'the same layout as ours: lowercase hex with the 04');
  assert.deepEqual(openEnvelope(sealed.stdout, key.privateKey), REQUEST);
  const theirHex = Buffer.from(sealed.stdout, 'base64').toString('latin1');
  const theirChanged = Buffer.from(theirHex.slice(0, 140) + (theirHex[140] === 'f' ? 'e' : 'f') + theirHex.slice(141), 'latin1').toString('base64');
  assert.throws(() => openEnvelope(theirChanged, key.privateKey), (err: unknown) => err instanceof EnvelopeError && err.problem === 'tampered');
});
