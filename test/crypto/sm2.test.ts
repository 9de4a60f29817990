import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { generateSm2KeyPair, sm2PrivateKeyPem, sm2PublicKeyFromPem, sm2PublicKeyPem, sm2Sign, sm2Verify } from '../../src/crypto/sm2.js';

const ID = '1234567812345678';
const openssl = (args: string[], cwd: string) => spawnSync('openssl', args, { cwd, encoding: 'utf8' });
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

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
