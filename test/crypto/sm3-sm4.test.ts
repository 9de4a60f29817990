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
