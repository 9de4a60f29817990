import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sm3Hex, hmacSm3 } from '../../src/crypto/sm3.js';
import { Sm4Box, sm4EncryptBlock } from '../../src/crypto/sm4.js';

test('SM3 matches the GB/T 32905 test vector', () => {
  assert.equal(sm3Hex('abc'), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  assert.equal(
    sm3Hex('abcd'.repeat(16)),
    'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
  );
});

test('SM4 matches the GB/T 32907 vectors (one block and 10^6 iterations)', () => {
  const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
  assert.equal(sm4EncryptBlock(key, key).toString('hex'), '681edf34d206965e86b3e94f536e4246');
  let block: Buffer = key;
  for (let i = 0; i < 1_000_000; i++) block = sm4EncryptBlock(key, block);
  assert.equal(block.toString('hex'), '595298c7c6fd271f0402f804c33d3f66');
});

test('HMAC-SM3 differs by key and is 32 bytes', () => {
  const a = hmacSm3(Buffer.from('k1'), 'x');
  const b = hmacSm3(Buffer.from('k2'), 'x');
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, b);
});

test('Sm4Box seals, opens, and refuses altered values, other keys and other contexts', () => {
  const box = new Sm4Box(Buffer.alloc(16, 7));
  const sealed = box.seal('张三 11010519491231002X', 'holder');
  assert.equal(box.open(sealed, 'holder')?.toString('utf8'), '张三 11010519491231002X');
  assert.ok(!sealed.includes(Buffer.from('11010519491231002X')));
  for (let i = 0; i < sealed.length; i++) {
    const bad = Buffer.from(sealed);
    bad[i] = bad[i]! ^ 1;
    assert.equal(box.open(bad, 'holder'), undefined, `flip at byte ${i} must be caught`);
  }
  assert.equal(box.open(sealed, 'other'), undefined);
  assert.equal(new Sm4Box(Buffer.alloc(16, 8)).open(sealed, 'holder'), undefined);
  assert.equal(box.open(sealed.subarray(0, 20), 'holder'), undefined);
});

test('Sm4Box computes SM4-CTR exactly as OpenSSL does, counter carry included, and opens values sealed before', async () => {
  const { createCipheriv, createHmac } = await import('node:crypto');
  const { deriveKey } = await import('../../src/crypto/sm3.js');
  const master = Buffer.alloc(16, 9);
  const box = new Sm4Box(master);
  const encKey = deriveKey(master, 'sm4-ctr', 16);
  const macKey = deriveKey(master, 'hmac-sm3', 32);
  // The former implementation: a CTR context per value, the tag over one concatenation.
  const oldSeal = (plain: Buffer, iv: Buffer, aad: string) => {
    const c = createCipheriv('sm4-ctr', encKey, iv);
    const body = Buffer.concat([c.update(plain), c.final()]);
    const a = Buffer.from(aad);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(a.length);
    return Buffer.concat([iv, body, createHmac('sm3', macKey).update(Buffer.concat([len, a, iv, body])).digest().subarray(0, 16)]);
  };
  for (const ivHex of ['00000000000000000000000000000000', 'ffffffffffffffffffffffffffffffff', '0102030405060708ffffffffffffff00']) {
    for (const size of [0, 1, 15, 16, 17, 100, 1000]) {
      const plain = Buffer.alloc(size, 0x5a);
      const old = oldSeal(plain, Buffer.from(ivHex, 'hex'), 'ctx');
      assert.deepEqual(box.open(old, 'ctx'), plain, `iv ${ivHex}, ${size} bytes`);
      const fresh = box.seal(plain, 'ctx');
      assert.deepEqual(fresh, oldSeal(plain, fresh.subarray(0, 16), 'ctx'), 'the same bytes as a CTR context gives');
    }
  }
  assert.notDeepEqual(box.seal('x').subarray(0, 16), box.seal('x').subarray(0, 16), 'a fresh IV each time');
});
