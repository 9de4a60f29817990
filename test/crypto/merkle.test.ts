import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  appendNodes, consistencyRanges, frontier, inclusionRanges, leafHash, nodeKey, nodesFor, rangeHash, RootBuilder,
  verifyConsistency, verifyInclusion,
} from '../../src/crypto/merkle.js';

// The definitions of RFC 9162 2.1.1, written here again as plainly as possible (recursion over the leaf list).
const h = (...parts: Buffer[]) => createHash('sm3').update(Buffer.concat(parts)).digest();
const leaves = Array.from({ length: 70 }, (_, i) => Buffer.from(`leaf ${i}`));
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return h();
  if (d.length === 1) return h(Buffer.from([0]), d[0]!);
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return h(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
}

/** A tree of n leaves built the way the log stores it: appended in uneven batches. */
function stored(n: number): Map<string, Buffer> {
  const all = new Map<string, Buffer>();
  let size = 0;
  while (size < n) {
    const batch = Math.min(n - size, 1 + (size % 5));
    const edge = new Map(frontier(size).map((id) => [nodeKey(id), all.get(nodeKey(id))!]));
    for (const m of appendNodes(size, edge, leaves.slice(size, size + batch).map(leafHash))) all.set(nodeKey(m.id), m.hash);
    size += batch;
  }
  return all;
}

test('the hash of a one-leaf tree and of the empty tree are those of RFC 9162 with SM3', () => {
  // SM3(0x00) and SM3 of the empty string, both computed with `openssl dgst -sm3`.
  assert.equal(leafHash(Buffer.alloc(0)).toString('hex'), '2daef60e7a0b8f5e024c81cd2ab3109f2b4f155cf83adeb2ae5532f74a157fdf');
  assert.equal(new RootBuilder().root().toString('hex'), '1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b');
});

test('stored subtrees, streamed roots and the recursive definition agree for every size up to 70', () => {
  const all = stored(70);
  const streamed = new RootBuilder();
  for (let n = 1; n <= 70; n++) {
    streamed.push(leafHash(leaves[n - 1]!));
    const want = mth(leaves.slice(0, n));
    assert.deepEqual(rangeHash(0, n, (k) => all.get(k)), want, `size ${n}`);
    assert.deepEqual(streamed.root(), want, `streamed size ${n}`);
  }
});

test('every inclusion proof verifies, and none verifies for another leaf, index or with a bit flipped', () => {
  const all = stored(40);
  for (let n = 1; n <= 40; n++) {
    const root = mth(leaves.slice(0, n));
    for (let m = 0; m < n; m++) {
      const proof = inclusionRanges(m, n).map(([lo, hi]) => rangeHash(lo, hi, (k) => all.get(k)));
      assert.ok(verifyInclusion(m, n, leafHash(leaves[m]!), proof, root), `${m} in ${n}`);
      if (n > 1) assert.ok(!verifyInclusion((m + 1) % n, n, leafHash(leaves[m]!), proof, root), `${m} in ${n} shown at another index`);
      assert.ok(!verifyInclusion(m, n, leafHash(leaves[n]!), proof, root), `another leaf at ${m} in ${n}`);
      if (proof.length > 0) {
        const bad = proof.map((p) => Buffer.from(p));
        bad[bad.length - 1]![5]! ^= 0x10;
        assert.ok(!verifyInclusion(m, n, leafHash(leaves[m]!), bad, root), `${m} in ${n}, one bit changed`);
        assert.ok(!verifyInclusion(m, n, leafHash(leaves[m]!), proof.slice(0, -1), root), `${m} in ${n}, proof cut short`);
      }
    }
  }
});

test('every consistency proof verifies, and none with a bit flipped or against another root', () => {
  const all = stored(40);
  for (let n = 1; n <= 40; n++) {
    for (let m = 1; m <= n; m++) {
      const proof = consistencyRanges(m, n).map(([lo, hi]) => rangeHash(lo, hi, (k) => all.get(k)));
      const r1 = mth(leaves.slice(0, m));
      const r2 = mth(leaves.slice(0, n));
      assert.ok(verifyConsistency(m, n, r1, r2, proof), `${m} → ${n}`);
      if (m < n) {
        assert.ok(!verifyConsistency(m, n, mth(leaves.slice(1, m + 1)), r2, proof), `${m} → ${n} from another tree`);
        const bad = proof.map((p) => Buffer.from(p));
        bad[0]![0]! ^= 1;
        assert.ok(!verifyConsistency(m, n, r1, r2, bad), `${m} → ${n}, one bit changed`);
      }
    }
  }
});

test('a proof needs only O(log n) stored subtrees', () => {
  assert.ok(nodesFor(inclusionRanges(123_456, 1_000_003)).length <= 2 * 20);
  assert.ok(nodesFor(consistencyRanges(654_321, 1_000_003)).length <= 2 * 20);
  assert.deepEqual(frontier(13), [{ level: 3, index: 0 }, { level: 2, index: 2 }, { level: 0, index: 12 }]);
});
