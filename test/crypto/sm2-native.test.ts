import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { generateSm2KeyPair, sm2Backend, sm2PrivateKeyPem, sm2PublicKeyPem, sm2Verify } from '../../src/crypto/sm2.js';
import { jsSign, jsVerify } from '../../src/crypto/sm2-js.js';
import { ADDON_PATH, loadNativeSm2 } from '../../src/crypto/sm2-native.js';

// The addon is built by `npm ci`; CI must have it, a developer without a compiler skips these. A
// built addon that does not load or fails its self-check fails them.
const native = loadNativeSm2();
const skip = !existsSync(ADDON_PATH) && !process.env.CI ? 'SM2 addon not built' : false;
const ID = '1234567812345678';
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const root = new URL('../../', import.meta.url).pathname;

test('the addon is used by default, and ZHENGZHAO_SM2=js selects JavaScript', { skip }, () => {
  assert.ok(existsSync(ADDON_PATH));
  assert.equal(sm2Backend, process.env.ZHENGZHAO_SM2 === 'js' ? 'javascript' : 'openssl');
  const script = "import('./src/crypto/sm2.ts').then((m) => console.log(m.sm2Backend))";
  const run = (env: Record<string, string | undefined>) =>
    spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } }).stdout.trim();
  assert.equal(run({ ZHENGZHAO_SM2: 'js' }), 'javascript');
  assert.equal(run({ ZHENGZHAO_SM2: undefined }), 'openssl');
});

test('native signatures verify in JavaScript and JavaScript signatures natively, with any user ID', { skip }, () => {
  const k = generateSm2KeyPair();
  for (const userId of [ID, 'ALICE123@YAHOO.COM', '电子证照', '']) {
    const msg = Buffer.from(`canonical data for ${userId}`);
    const ours = native!.sign(msg, k.privateKey, userId);
    assert.equal(ours[0], 0x30);
    assert.ok(jsVerify(msg, ours, k.publicKey, userId), `JS verifies native (${userId})`);
    assert.ok(native!.verify(msg, ours, k.publicKey, userId));
    assert.ok(native!.verify(msg, jsSign(msg, k.privateKey, userId), k.publicKey, userId), `native verifies JS (${userId})`);
    assert.ok(!native!.verify(msg, ours, k.publicKey, userId + 'x'), 'another user ID gives another Z');
    assert.ok(!native!.verify(Buffer.concat([msg, Buffer.from([0])]), ours, k.publicKey, userId));
  }
  // Randomised: two signatures of the same message differ, both valid.
  const msg = Buffer.from('same');
  const a = native!.sign(msg, k.privateKey, ID);
  const b = native!.sign(msg, k.privateKey, ID);
  assert.ok(!a.equals(b));
  assert.ok(jsVerify(msg, b, k.publicKey, ID));
});

test('the GB/T 32918 example verifies natively; a key in upper-case hex too', { skip }, () => {
  const pub = '0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13';
  const sig = Buffer.from('3046022100f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3022100b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa', 'hex');
  assert.equal(native!.verify(Buffer.from('message digest'), sig, pub, ID), true);
  assert.equal(native!.verify(Buffer.from('message digest'), sig, pub.toUpperCase(), ID), true);
  assert.equal(native!.verify(Buffer.from('message digest'), sig, pub, '1234567812345679'), false);
});

test('malformed signatures and keys give false, never an exception', { skip }, () => {
  const k = generateSm2KeyPair();
  const msg = Buffer.from('message');
  const sig = native!.sign(msg, k.privateKey, ID);
  const offCurve = k.publicKey.slice(0, -1) + (k.publicKey.endsWith('0') ? '1' : '0');
  const cases: [string, Uint8Array, string][] = [
    ['empty signature', Buffer.alloc(0), k.publicKey],
    ['garbage', Buffer.from('garbage'), k.publicKey],
    ['trailing byte', Buffer.concat([sig, Buffer.from([0])]), k.publicKey],
    ['truncated', sig.subarray(0, sig.length - 1), k.publicKey],
    ['r and s zero', Buffer.from('3006020100020100', 'hex'), k.publicKey],
    ['raw r‖s, not DER', Buffer.alloc(64, 1), k.publicKey],
    ['point not on the curve', sig, offCurve],
    ['short key', sig, '04abcd'],
    ['compressed key', sig, '02' + k.publicKey.slice(2, 66)],
    ['not hex', sig, '04' + 'zz'.repeat(64)],
  ];
  for (const [what, s, key] of cases) {
    assert.equal(sm2Verify(msg, s, key), false, what);
    assert.doesNotThrow(() => sm2Verify(msg, s, key), what);
  }
  assert.throws(() => native!.verify(msg, sig, offCurve, ID), /SM2 key import failed/);
  assert.equal(sm2Verify(msg, sig, k.publicKey), true, 'the untouched signature still verifies');
  assert.throws(() => native!.sign(msg, 'not a key', ID), /64 hex/);
});

test('native signatures verify with the OpenSSL command line, and its signatures natively', { skip: skip || (!hasOpenssl && !process.env.CI ? 'no openssl' : false) }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'zz-sm2n-'));
  const openssl = (args: string[]) => spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  try {
    const k = generateSm2KeyPair();
    const msg = Buffer.from('{"CZR":"持证人","FZRQ":"2026-11-01"}', 'utf8');
    writeFileSync(join(dir, 'msg.bin'), msg);
    writeFileSync(join(dir, 'pub.pem'), sm2PublicKeyPem(k.publicKey));
    writeFileSync(join(dir, 'key.pem'), sm2PrivateKeyPem(k.privateKey));
    writeFileSync(join(dir, 'ours.der'), native!.sign(msg, k.privateKey, ID));
    const verify = (sig: string) => openssl(['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'msg.bin', '-sigfile', sig, '-digest', 'sm3', '-pkeyopt', `distid:${ID}`]);
    assert.match(verify('ours.der').stdout, /Signature Verified Successfully/);
    // With the empty ID Node's crypto would use, OpenSSL rejects it: the ID really is in Z.
    writeFileSync(join(dir, 'empty-id.der'), native!.sign(msg, k.privateKey, ''));
    assert.doesNotMatch(verify('empty-id.der').stdout, /Signature Verified Successfully/);
    const s = openssl(['pkeyutl', '-sign', '-inkey', 'key.pem', '-rawin', '-in', 'msg.bin', '-digest', 'sm3', '-pkeyopt', `distid:${ID}`, '-out', 'theirs.der']);
    assert.equal(s.status, 0, s.stderr);
    assert.equal(native!.verify(msg, readFileSync(join(dir, 'theirs.der')), k.publicKey, ID), true);
    assert.equal(native!.verify(Buffer.from('other'), readFileSync(join(dir, 'theirs.der')), k.publicKey, ID), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('worker threads load the addon too and sign with it', { skip }, async () => {
  const k = generateSm2KeyPair();
  const entry = new URL('../../src/crypto/sm2.ts', import.meta.url).href;
  // Node 20 does not run a worker's .ts through the parent's loader: register tsx first (as signer.ts does).
  const code = `(async () => {
    (await import('tsx/esm/api')).register();
    const { parentPort, workerData } = await import('node:worker_threads');
    const m = await import(${JSON.stringify(entry)});
    parentPort.postMessage({ backend: m.sm2Backend, sig: m.sm2Sign(Buffer.from('in a worker'), workerData) });
  })()`;
  const run = () => new Promise<{ backend: string; sig: Uint8Array }>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: k.privateKey });
    w.once('message', (m) => { resolve(m); void w.terminate(); });
    w.once('error', reject);
  });
  const [a, b] = await Promise.all([run(), run()]);
  for (const r of [a, b]) {
    assert.equal(r.backend, process.env.ZHENGZHAO_SM2 === 'js' ? 'javascript' : 'openssl');
    assert.ok(jsVerify(Buffer.from('in a worker'), r.sig, k.publicKey, ID));
  }
});
