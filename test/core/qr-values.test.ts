import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '../../src/crypto/keyring.js';
import { EncryptedIds } from '../../src/core/encrypted-ids.js';
import { QrValues, withEncryptedIds } from '../../src/core/qr-values.js';
import { ServiceError } from '../../src/domain/return-codes.js';

const keys = new Keyring(new Map([['k1', Buffer.alloc(16, 1)]]), 'k1', Buffer.alloc(32, 2));
const ID = '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U';

test('a scanned value names a certificate: our verify URL, a bare identifier, a Sichuan encrypted ID in date', async () => {
  const ids = new EncryptedIds(keys, 600);
  const qr = withEncryptedIds(new QrValues(), ids);
  assert.equal(await qr.resolve(`http://node.example:8080/verify/${encodeURIComponent(ID)}`), ID);
  assert.equal(await qr.resolve(ID), ID);
  assert.equal(await qr.resolve(ids.issue(ID).encryptedId), ID);
  const old = ids.issue(ID, Date.now() - 601_000).encryptedId;
  await assert.rejects(qr.resolve(old), (e: unknown) => e instanceof ServiceError && e.code === '24');
  await assert.rejects(qr.resolve('https://example.com/not-ours'), (e: unknown) => e instanceof ServiceError && e.code === '24');
});
