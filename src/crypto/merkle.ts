import { sm3 } from './sm3.js';

/**
 * Merkle tree hashing of RFC 9162 (Certificate Transparency 2.0) section 2.1, with SM3 as the hash:
 * leaf SM3(0x00 ‖ data), interior node SM3(0x01 ‖ left ‖ right). Pure functions only; where hashes
 * live is the caller's business.
 *
 * Subtrees are named by leaf ranges [lo, hi). A range whose width is a power of two and whose lo is
 * a multiple of that width is "complete": its hash never changes once its last leaf exists, so it
 * can be stored as (level, index) with width 2^level and lo = index · 2^level.
 */

export const HASH_SIZE = 32;

export function leafHash(data: Uint8Array): Buffer {
  return sm3(Buffer.concat([Buffer.from([0]), data]));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sm3(Buffer.concat([Buffer.from([1]), left, right]));
}

/** The hash of the empty tree: SM3 of the empty string (RFC 9162 2.1.1). */
export function emptyRoot(): Buffer {
  return sm3(Buffer.alloc(0));
}

/** A complete subtree: leaves [index·2^level, (index+1)·2^level). */
export interface NodeId { level: number; index: number }

/** The largest power of two strictly smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isComplete(lo: number, hi: number): boolean {
  const w = hi - lo;
  return w > 0 && (w & (w - 1)) === 0 && lo % w === 0;
}

function idOf(lo: number, hi: number): NodeId {
  const w = hi - lo;
  return { level: Math.log2(w), index: lo / w };
}

/** The complete subtrees whose hashes make up MTH(D[lo:hi]), in the order the recursion meets them. */
export function rangeNodes(lo: number, hi: number): NodeId[] {
  if (hi <= lo) throw new RangeError(`empty range [${lo}, ${hi})`);
  if (isComplete(lo, hi)) return [idOf(lo, hi)];
  const k = splitPoint(hi - lo);
  return [...rangeNodes(lo, lo + k), ...rangeNodes(lo + k, hi)];
}

export const nodeKey = (n: NodeId) => `${n.level}/${n.index}`;

/** MTH(D[lo:hi]) from the hashes of its complete subtrees (looked up by nodeKey). */
export function rangeHash(lo: number, hi: number, lookup: (key: string) => Buffer | undefined): Buffer {
  if (isComplete(lo, hi)) {
    const key = nodeKey(idOf(lo, hi));
    const h = lookup(key);
    if (!h) throw new Error(`missing tree node ${key}`);
    return h;
  }
  const k = splitPoint(hi - lo);
  return nodeHash(rangeHash(lo, lo + k, lookup), rangeHash(lo + k, hi, lookup));
}

/** The ranges whose hashes form the inclusion proof of leaf m in a tree of n leaves (RFC 9162 2.1.3.1 PATH). */
export function inclusionRanges(m: number, n: number): [number, number][] {
  if (!(m >= 0 && m < n)) throw new RangeError(`leaf ${m} is not in a tree of ${n}`);
  const out: [number, number][] = [];
  const path = (m: number, lo: number, hi: number): void => {
    if (hi - lo === 1) return;
    const k = splitPoint(hi - lo);
    if (m < k) { path(m, lo, lo + k); out.push([lo + k, hi]); } else { path(m - k, lo + k, hi); out.push([lo, lo + k]); }
  };
  path(m, 0, n);
  return out;
}

/** The ranges whose hashes form the consistency proof from size m to size n (RFC 9162 2.1.4.1 SUBPROOF). */
export function consistencyRanges(m: number, n: number): [number, number][] {
  if (!(m >= 0 && m <= n)) throw new RangeError(`no consistency proof from ${m} to ${n}`);
  if (m === 0 || m === n) return [];
  const out: [number, number][] = [];
  const sub = (m: number, lo: number, hi: number, b: boolean): void => {
    if (m === hi - lo) { if (!b) out.push([lo, hi]); return; }
    const k = splitPoint(hi - lo);
    if (m <= k) { sub(m, lo, lo + k, b); out.push([lo + k, hi]); } else { sub(m - k, lo + k, hi, false); out.push([lo, lo + k]); }
  };
  sub(m, 0, n, true);
  return out;
}

/** Every complete subtree a set of ranges needs: what to fetch before calling rangeHash. */
export function nodesFor(ranges: [number, number][]): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const [lo, hi] of ranges) for (const n of rangeNodes(lo, hi)) seen.set(nodeKey(n), n);
  return [...seen.values()];
}

/**
 * The complete subtrees a tree of `size` leaves ends with, left to right (one per set bit of size):
 * all an appender needs to know about the leaves before.
 */
export function frontier(size: number): NodeId[] {
  const out: NodeId[] = [];
  let lo = 0;
  for (let level = 52; level >= 0; level--) {
    const w = 2 ** level;
    if (size - lo >= w) { out.push({ level, index: lo / w }); lo += w; }
  }
  return out;
}

/**
 * Appends leaf hashes to a tree of `size` leaves whose frontier hashes are given, and returns every
 * complete subtree that the new leaves complete (level 0 included): what to store.
 */
export function appendNodes(size: number, frontierHashes: Map<string, Buffer>, leaves: Buffer[]): { id: NodeId; hash: Buffer }[] {
  const known = new Map(frontierHashes);
  const made: { id: NodeId; hash: Buffer }[] = [];
  leaves.forEach((h, i) => {
    let id: NodeId = { level: 0, index: size + i };
    let hash: Buffer = h;
    for (;;) {
      known.set(nodeKey(id), hash);
      made.push({ id, hash });
      if (id.index % 2 === 0) break;
      const left = known.get(nodeKey({ level: id.level, index: id.index - 1 }));
      if (!left) throw new Error(`missing tree node ${id.level}/${id.index - 1}`);
      hash = nodeHash(left, hash);
      id = { level: id.level + 1, index: (id.index - 1) / 2 };
    }
  });
  return made;
}

/** RFC 9162 2.1.3.2: does `proof` show leaf `index` with hash `leaf` in the tree of `size` leaves with `root`? */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 2.1.4.2: does `proof` show the tree of size `m` with `root1` is a prefix of the tree of `n` with `root2`? */
export function verifyConsistency(m: number, n: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!(m >= 0 && m <= n)) return false;
  if (m === n) return proof.length === 0 && Buffer.from(root1).equals(root2);
  if (m === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = [...proof];
  // If m is a power of two, the old root itself is the first node of the path.
  if ((m & (m - 1)) === 0) path.unshift(root1);
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}

/** Computes a root by streaming leaf hashes in order, in memory proportional to log(size): the verifier's tree. */
export class RootBuilder {
  private stack: { level: number; hash: Buffer }[] = [];
  size = 0;

  /** @param onNode told of every complete subtree above the leaves as it completes (to compare with stored ones). */
  constructor(private readonly onNode?: (id: NodeId, hash: Buffer) => void) {}

  push(leaf: Buffer): void {
    let node = { level: 0, hash: leaf };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.level === node.level) {
      const left = this.stack.pop()!;
      node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
      this.onNode?.({ level: node.level, index: Math.floor(this.size / 2 ** node.level) }, node.hash);
    }
    this.stack.push(node);
    this.size++;
  }

  root(): Buffer {
    if (this.stack.length === 0) return emptyRoot();
    let h = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) h = nodeHash(this.stack[i]!.hash, h);
    return h;
  }
}
