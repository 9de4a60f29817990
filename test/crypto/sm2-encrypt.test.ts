import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { generateSm2KeyPair, sm2Decrypt, sm2Encrypt, sm2PrivateKeyPem, sm2PublicKeyPem } from '../../src/crypto/sm2.js';
import { jsDecrypt, jsEncrypt } from '../../src/crypto/sm2-js.js';
import { ADDON_PATH, loadNativeSm2 } from '../../src/crypto/sm2-native.js';
import { sm2CiphertextFromDer, sm2CiphertextToDer } from '../../src/crypto/sm2-ciphertext.js';

const native = loadNativeSm2();
const skipNative = !existsSync(ADDON_PATH) && !process.env.CI ? 'SM2 addon not built' : false;
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

test('raw ciphertext 04 ‖ x ‖ y ‖ C3 ‖ C2 converts to the DER SEQUENCE and back, byte for byte', () => {
  // x with a leading zero byte, y with its top bit set, C2 long enough for a long-form DER length.
  const x = Buffer.concat([Buffer.from([0x00, 0x7f]), Buffer.alloc(30, 0x11)]);
  const y = Buffer.alloc(32, 0x99);
  const c3 = Buffer.alloc(32, 0x33);
  const c2 = Buffer.alloc(300, 0x22);
  const raw = Buffer.concat([Buffer.from([4]), x, y, c3, c2]);
  const der = sm2CiphertextToDer(raw);
  assert.equal(der.subarray(0, 4).toString('hex'), '30820196', 'SEQUENCE of 406 bytes');
  assert.equal(der.subarray(4, 8).toString('hex'), '021f7f11', 'x as a minimal INTEGER (leading zero dropped)');
  assert.equal(der.subarray(37, 41).toString('hex'), '02210099', 'y with a 00 so it stays positive');
  assert.equal(der.subarray(72, 74).toString('hex'), '0420', 'C3 OCTET STRING before C2');
  assert.equal(der.subarray(106, 110).toString('hex'), '0482012c', 'C2 OCTET STRING of 300 bytes');
  assert.deepEqual(sm2CiphertextFromDer(der), raw);
  assert.throws(() => sm2CiphertextFromDer(der.subarray(0, der.length - 1)), /truncated/);
  assert.throws(() => sm2CiphertextToDer(raw.subarray(1)), /04/);
});

test('encrypt and decrypt round-trip; any changed byte or wrong key throws', () => {
  const k = generateSm2KeyPair();
  const msg = Buffer.from('身份证号 110105195001010011', 'utf8');
  const ct = sm2Encrypt(msg, k.publicKey);
  assert.equal(ct.length, 97 + msg.length);
  assert.equal(ct[0], 0x04);
  assert.deepEqual(sm2Decrypt(ct, k.privateKey), msg);
  for (const at of [1, 40, 70, ct.length - 1]) {
    const bad = Buffer.from(ct);
    bad[at] = bad[at]! ^ 1;
    assert.throws(() => sm2Decrypt(bad, k.privateKey), `byte ${at}`);
  }
  assert.throws(() => sm2Decrypt(ct, generateSm2KeyPair().privateKey));
  assert.throws(() => sm2Encrypt(Buffer.alloc(0), k.publicKey), /empty/);
  assert.throws(() => sm2Decrypt(ct.subarray(0, 97), k.privateKey), /non-empty C2/);
});

test('the native and JavaScript backends decrypt each other', { skip: skipNative }, () => {
  const k = generateSm2KeyPair();
  const msg = Buffer.from('x'.repeat(1000));
  const fromNative = native!.encrypt(msg, k.publicKey);
  const fromJs = jsEncrypt(msg, k.publicKey);
  assert.deepEqual(jsDecrypt(fromNative, k.privateKey), msg);
  assert.deepEqual(native!.decrypt(fromJs, k.privateKey), msg);
  // C3 = SM3(x2 ‖ M ‖ y2) sits right after C1 in both, and C2 is as long as M.
  assert.equal(fromNative.length, fromJs.length);
});

test('interoperates with `openssl pkeyutl -encrypt/-decrypt` both ways', { skip: !hasOpenssl && !process.env.CI ? 'no openssl' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'zz-sm2e-'));
  const openssl = (args: string[]) => spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  try {
    const k = generateSm2KeyPair();
    const msg = Buffer.from(`电子证照 ${createHash('sha256').update(k.publicKey).digest('hex')}`, 'utf8');
    writeFileSync(join(dir, 'msg.bin'), msg);
    writeFileSync(join(dir, 'pub.pem'), sm2PublicKeyPem(k.publicKey));
    writeFileSync(join(dir, 'key.pem'), sm2PrivateKeyPem(k.privateKey));
    // OpenSSL → ours
    const e = openssl(['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-in', 'msg.bin', '-out', 'theirs.der']);
    assert.equal(e.status, 0, e.stderr);
    assert.deepEqual(sm2Decrypt(sm2CiphertextFromDer(readFileSync(join(dir, 'theirs.der'))), k.privateKey), msg);
    // ours → OpenSSL
    writeFileSync(join(dir, 'ours.der'), sm2CiphertextToDer(sm2Encrypt(msg, k.publicKey)));
    const d = openssl(['pkeyutl', '-decrypt', '-inkey', 'key.pem', '-in', 'ours.der', '-out', 'plain.bin']);
    assert.equal(d.status, 0, d.stderr);
    assert.deepEqual(readFileSync(join(dir, 'plain.bin')), msg);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
