import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '../../src/crypto/keyring.js';
import { EncryptedIds } from '../../src/core/encrypted-ids.js';
import QRCode from 'qrcode';
import { codeImage, symbologyMissing } from '../../src/core/qr-images.js';

const keys = new Keyring(new Map([['k1', Buffer.alloc(16, 1)]]), 'k1', Buffer.alloc(32, 2));
// A published identifier (shared/notes/standards-facts.md) and one outside the GB/T 36904 root.
const ID = '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U';
const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);

test('an encrypted ID opens to its certificate ID and timestamp within its lifetime', () => {
  const ids = new EncryptedIds(keys, 600);
  const { encryptedId, grant } = ids.issue(ID, T0);
  assert.deepEqual(grant, { certificateId: ID, issuedAt: T0 / 1000, expires: T0 / 1000 + 600 });
  assert.deepEqual(ids.check(encryptedId, T0 + 599_000), { ok: true, grant });
  // Scanners and people may hand it back in lower case or with spaces around it.
  assert.deepEqual(ids.check(` ${encryptedId.toLowerCase()} `, T0), { ok: true, grant });
  const other = ids.issue('ZZ-LOCAL-42', T0);
  assert.equal(ids.check(other.encryptedId, T0).ok && (ids.check(other.encryptedId, T0) as { grant: { certificateId: string } }).grant.certificateId, 'ZZ-LOCAL-42');
});

test('it is short, QR-alphanumeric, different every time, and names nothing in the clear', () => {
  const ids = new EncryptedIds(keys, 600);
  const a = ids.issue(ID, T0).encryptedId;
  const b = ids.issue(ID, T0).encryptedId;
  assert.notEqual(a, b, 'a fresh IV each time: two IDs of one certificate cannot be linked');
  assert.match(a, /^[A-Z2-7]+$/);
  // key id "k1\0" (3) + IV (16) + flag and timestamp (5) + the identifier without its root (58) + tag (16), in base32.
  assert.equal(a.length, Math.ceil(((3 + 16 + 5 + 58 + 16) * 8) / 5));
  assert.equal(QRCode.create(a, { errorCorrectionLevel: 'M' }).version, 7, 'a 45×45 QR symbol');
  const bytes = unbase32(a).toString('latin1');
  assert.equal(bytes.slice(0, 3), 'k1\0', 'only the key id is in the clear');
  for (const part of ['11430000006122244L', '20230000403', '11100000000013338W011']) assert.ok(!bytes.includes(part), part);
});

function unbase32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...text].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  return Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
}

test('expired, altered, truncated, foreign, future-dated and malformed IDs are refused', () => {
  const ids = new EncryptedIds(keys, 600);
  const { encryptedId } = ids.issue(ID, T0);
  assert.deepEqual(ids.check(encryptedId, T0 + 600_000), { ok: false, reason: 'expired' });
  assert.deepEqual(ids.check(encryptedId, T0 + 86_400_000), { ok: false, reason: 'expired' }, 'replaying it later does not help');
  // The lifetime is the node's current setting: shortening it ends IDs already out.
  assert.deepEqual(new EncryptedIds(keys, 60).check(encryptedId, T0 + 61_000), { ok: false, reason: 'expired' });
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  for (const i of [0, 5, 40, 100, encryptedId.length - 2]) {
    const c = encryptedId[i]!;
    const altered = encryptedId.slice(0, i) + alphabet[(alphabet.indexOf(c) + 1) % 32] + encryptedId.slice(i + 1);
    assert.deepEqual(ids.check(altered, T0), { ok: false, reason: 'invalid' }, `character ${i}`);
  }
  assert.deepEqual(ids.check(encryptedId.slice(0, -8), T0), { ok: false, reason: 'invalid' });
  // The last character carries unused bits: only the spelling with them zero is accepted, so every
  // change to the string is refused, not only those that change the sealed bytes.
  const last = alphabet.indexOf(encryptedId.at(-1)!);
  for (let v = 0; v < 32; v++) {
    if (v === last) continue;
    assert.deepEqual(ids.check(encryptedId.slice(0, -1) + alphabet[v], T0), { ok: false, reason: 'invalid' }, `last character ${alphabet[v]}`);
  }
  assert.deepEqual(ids.check(encryptedId + 'A', T0), { ok: false, reason: 'invalid' }, 'one character more');
  const foreign = new EncryptedIds(new Keyring(new Map([['k1', Buffer.alloc(16, 9)]]), 'k1', Buffer.alloc(32, 2)), 600);
  assert.deepEqual(foreign.check(encryptedId, T0), { ok: false, reason: 'invalid' });
  assert.deepEqual(ids.check(ids.issue(ID, T0 + 3_600_000).encryptedId, T0), { ok: false, reason: 'invalid' }, 'stamped an hour ahead');
  for (const bad of ['', 'abc', '../../etc/passwd', ID, 'A'.repeat(2000), null as unknown as string]) {
    assert.deepEqual(ids.check(bad, T0), { ok: false, reason: 'invalid' });
  }
});

test('after key rotation IDs made under the old key still open; without it they do not', () => {
  const { encryptedId } = new EncryptedIds(keys, 600).issue(ID, T0);
  const rotated = new Keyring(new Map([['k2', Buffer.alloc(16, 3)], ['k1', Buffer.alloc(16, 1)]]), 'k2', Buffer.alloc(32, 2));
  assert.equal(new EncryptedIds(rotated, 600).check(encryptedId, T0).ok, true);
  const dropped = new Keyring(new Map([['k2', Buffer.alloc(16, 3)]]), 'k2', Buffer.alloc(32, 2));
  assert.deepEqual(new EncryptedIds(dropped, 600).check(encryptedId, T0), { ok: false, reason: 'invalid' });
});

test('the QR code of an encrypted ID reads back with zbarimg; Grid Matrix is drawn, or refused naming libzint', { skip: !process.env.CI && spawnSync('sh', ['-c', 'command -v zbarimg']).status !== 0 && 'zbarimg (zbar-tools) is not installed' }, async () => {
  const { encryptedId } = new EncryptedIds(keys, 600).issue(ID, T0);
  const png = await codeImage(encryptedId, 'qr');
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  const file = join(mkdtempSync(join(tmpdir(), 'zz-qr-')), 'id.png');
  writeFileSync(file, png);
  const r = spawnSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), encryptedId);
  // Grid Matrix is drawn when the addon was built against libzint (CI installs it); otherwise refused, naming it.
  if (symbologyMissing('gm')) await assert.rejects(codeImage(encryptedId, 'gm'), /libzint/);
  else assert.equal((await codeImage(encryptedId, 'gm')).subarray(1, 4).toString(), 'PNG');
});
