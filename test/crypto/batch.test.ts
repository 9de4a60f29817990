import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { batchBackend, frame, framedAt, hmacSm3Many } from '../../src/crypto/batch.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { Sm4Box } from '../../src/crypto/sm4.js';

// Values a catalog really holds: ASCII codes, Chinese names, an empty one, one past 64 bytes (more
// than one SM3 block), one with a surrogate pair.
const VALUES = ['', '110101199003077777', '张三', '电子证照共享服务系统'.repeat(8), 'a\0b', '𠀀 rare character', '{"surface":[],"detail":[]}'];

test('the addon does the bulk HMAC-SM3 and SM4 where it is built', () => {
  // CI builds it (npm ci); a machine without a compiler still passes the tests below through the JS path.
  if (process.env.CI) assert.equal(batchBackend, 'openssl');
});

test('frame keeps UTF-8 bytes and end offsets of each value', () => {
  const f = frame(VALUES);
  assert.equal(f.ends.length, VALUES.length);
  VALUES.forEach((v, i) => assert.equal(Buffer.from(framedAt(f, i)).toString('utf8'), v));
  assert.equal(f.data.length, Buffer.byteLength(VALUES.join('')));
});

test('hmacSm3Many equals HMAC-SM3 of each message, in the addon and in JavaScript', () => {
  for (const key of [Buffer.alloc(32, 9), Buffer.from('short'), Buffer.alloc(100, 3)]) {
    const want = Buffer.concat(VALUES.map((v) => createHmac('sm3', key).update(v).digest()));
    assert.equal(hmacSm3Many(key, frame(VALUES)).toString('hex'), want.toString('hex'));
    assert.equal(hmacSm3Many(key, frame(VALUES), 'javascript').toString('hex'), want.toString('hex'));
  }
  assert.equal(hmacSm3Many(Buffer.alloc(32), frame([])).length, 0);
});

test('Keyring.blindIndexMany equals blindIndex of each value', () => {
  const keys = new Keyring(new Map([['k1', Buffer.alloc(16, 1)]]), 'k1', Buffer.alloc(32, 2));
  const pairs = VALUES.map((v, i) => [i % 2 ? 'holder' : 'number', v] as const);
  const many = keys.blindIndexMany(pairs);
  pairs.forEach(([kind, v], i) => assert.deepEqual(many.subarray(32 * i, 32 * i + 32), keys.blindIndex(kind, v)));
  assert.deepEqual(keys.blindIndexMany(pairs, 'javascript'), many);
});

test('Keyring.sealMany: each value opens under its own context only, from either backend, and IVs differ', () => {
  const keys = new Keyring(new Map([['k1', Buffer.alloc(16, 1)], ['k2', Buffer.alloc(16, 5)]]), 'k2', Buffer.alloc(32, 2));
  const contexts = VALUES.map((_, i) => `holder:ID${i}`);
  for (const backend of ['auto', 'javascript'] as const) {
    const { sealed, ends } = keys.sealMany(VALUES, contexts, backend);
    assert.equal(ends.length, VALUES.length);
    assert.equal(ends.at(-1), sealed.length);
    const value = (i: number) => sealed.subarray(i === 0 ? 0 : ends[i - 1], ends[i]);
    VALUES.forEach((v, i) => {
      assert.equal(keys.open(value(i), contexts[i]!).toString('utf8'), v);
      assert.equal(value(i).length, 3 + 32 + Buffer.byteLength(v));
      assert.throws(() => keys.open(value(i), `holder:ID${i + 1}`), /failed authentication/);
    });
    // Same plaintext twice, different IVs, different ciphertexts.
    const twice = keys.sealMany(['same', 'same'], ['c', 'c'], backend);
    assert.notDeepEqual(twice.sealed.subarray(3, 3 + 16), twice.sealed.subarray(twice.ends[0]! + 3, twice.ends[0]! + 3 + 16));
  }
});

test('Sm4Box.sealMany refuses unequal numbers of plaintexts and AADs', () => {
  const box = new Sm4Box(Buffer.alloc(16, 7));
  assert.throws(() => box.sealMany(Buffer.alloc(0), frame(['a', 'b']), frame(['x'])), /as many AADs/);
});
