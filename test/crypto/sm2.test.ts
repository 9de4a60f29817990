import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { sm2 } from 'sm-crypto-v2';
import { generateSm2KeyPair, sm2PublicKeyFromPrivate, sm2PrivateKeyPem, sm2PublicKeyFromPem, sm2PublicKeyPem, sm2Sign, sm2Verify } from '../../src/crypto/sm2.js';

const ID = '1234567812345678';
const openssl = (args: string[], cwd: string) => spawnSync('openssl', args, { cwd, encoding: 'utf8' });
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

// GM/T 0003.5-2012 (GB/T 32918.5) annex: the example on the recommended curve sm2p256v1.
const VECTOR = {
  d: '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8',
  pub: '0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13',
  k: '59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21',
  r: 'f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3',
  s: 'b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa',
  message: 'message digest',
};
const derInt = (hex: string) => {
  let b = Buffer.from(hex, 'hex');
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return Buffer.concat([Buffer.from([2, b.length]), b]);
};
const derSig = (r: string, s: string) => {
  const body = Buffer.concat([derInt(r), derInt(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
};

test('the GB/T 32918 / GM/T 0003.5 example: key, signature, and r and s reproduced from its k', () => {
  assert.equal(sm2PublicKeyFromPrivate(VECTOR.d), VECTOR.pub);
  const msg = Buffer.from(VECTOR.message);
  assert.ok(sm2Verify(msg, derSig(VECTOR.r, VECTOR.s), VECTOR.pub, ID));
  assert.ok(!sm2Verify(msg, derSig(VECTOR.r, VECTOR.s.replace(/a$/, 'b')), VECTOR.pub, ID));
  assert.ok(!sm2Verify(Buffer.from('message digesu'), derSig(VECTOR.r, VECTOR.s), VECTOR.pub, ID));
  // Signing is randomised; the library takes a precomputed (k, x1 of kG) pair, which reproduces the example exactly.
  const x1 = BigInt('0x' + sm2PublicKeyFromPrivate(VECTOR.k).slice(2, 66));
  const sig = sm2.doSignature(msg, VECTOR.d, { hash: true, userId: ID, publicKey: VECTOR.pub, pointPool: [{ k: BigInt('0x' + VECTOR.k), x1 } as never] });
  assert.equal(sig, VECTOR.r + VECTOR.s);
});

test('sign and verify; any change to message, signature or user ID fails', () => {
  const k = generateSm2KeyPair();
  const msg = Buffer.from('message digest');
  const sig = sm2Sign(msg, k.privateKey);
  assert.equal(sig[0], 0x30, 'DER SEQUENCE');
  assert.ok(sm2Verify(msg, sig, k.publicKey));
  assert.ok(!sm2Verify(Buffer.from('message digesT'), sig, k.publicKey));
  const bad = Buffer.from(sig);
  bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
  assert.ok(!sm2Verify(msg, bad, k.publicKey));
  assert.ok(!sm2Verify(msg, sm2Sign(msg, k.privateKey, 'ALICE123@YAHOO.COM'), k.publicKey), 'another user ID gives another Z');
  assert.ok(!sm2Verify(msg, Buffer.from('garbage'), k.publicKey));
  assert.ok(!sm2Verify(msg, sig, '04abcd'));
  assert.ok(!sm2Verify(msg, sig, generateSm2KeyPair().publicKey));
});

test('public keys round-trip through PEM', () => {
  const k = generateSm2KeyPair();
  const pem = sm2PublicKeyPem(k.publicKey);
  assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n/);
  assert.equal(sm2PublicKeyFromPem(pem), k.publicKey);
});

test('interoperates with the OpenSSL command line both ways (distid 1234567812345678)', { skip: !hasOpenssl && !process.env.CI ? 'no openssl' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'zz-sm2-'));
  try {
    const k = generateSm2KeyPair();
    const msg = Buffer.from('电子证照 canonical data', 'utf8');
    writeFileSync(join(dir, 'msg.bin'), msg);
    writeFileSync(join(dir, 'pub.pem'), sm2PublicKeyPem(k.publicKey));
    writeFileSync(join(dir, 'key.pem'), sm2PrivateKeyPem(k.privateKey));
    // ours → OpenSSL
    writeFileSync(join(dir, 'ours.der'), sm2Sign(msg, k.privateKey));
    const v = openssl(['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'msg.bin', '-sigfile', 'ours.der', '-digest', 'sm3', '-pkeyopt', `distid:${ID}`], dir);
    assert.match(v.stdout, /Signature Verified Successfully/, v.stderr);
    // OpenSSL → ours, with a key we wrote
    const s = openssl(['pkeyutl', '-sign', '-inkey', 'key.pem', '-rawin', '-in', 'msg.bin', '-digest', 'sm3', '-pkeyopt', `distid:${ID}`, '-out', 'theirs.der'], dir);
    assert.equal(s.status, 0, s.stderr);
    assert.ok(sm2Verify(msg, readFileSync(join(dir, 'theirs.der')), k.publicKey));
    // a key OpenSSL generated, its PEM read by us
    assert.equal(openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'gen.pem'], dir).status, 0);
    assert.equal(openssl(['pkey', '-in', 'gen.pem', '-pubout', '-out', 'genpub.pem'], dir).status, 0);
    assert.equal(openssl(['pkeyutl', '-sign', '-inkey', 'gen.pem', '-rawin', '-in', 'msg.bin', '-digest', 'sm3', '-pkeyopt', `distid:${ID}`, '-out', 'gen.der'], dir).status, 0);
    const pub = sm2PublicKeyFromPem(readFileSync(join(dir, 'genpub.pem'), 'utf8'));
    assert.ok(sm2Verify(msg, readFileSync(join(dir, 'gen.der')), pub));
    assert.ok(!sm2Verify(Buffer.from('other'), readFileSync(join(dir, 'gen.der')), pub));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
