import type { Db } from '../store/db.js';
import {
  consistencyRanges, emptyRoot, inclusionRanges, nodesFor, rangeHash,
} from '../crypto/merkle.js';
import { indexOfLeafHash, levelHashes, logSize, nodeHashes } from '../store/transparency-log.js';
import { TILE_HEIGHT, TILE_WIDTH, type TileId } from '../domain/tile-path.js';

/** A request the log cannot answer as asked: the HTTP face turns it into 400 or 404. */
export class LogRequestError extends Error {
  constructor(readonly kind: 'bad-request' | 'not-found', message: string) { super(message); }
}

export interface InclusionProof { index: number; size: number; leafHash: string; proof: string[] }
export interface ConsistencyProof { from: number; to: number; proof: string[] }

/**
 * The node's transparency log, read side: tree heads and the proofs of RFC 9162 (2.1.3, 2.1.4),
 * computed from the stored hashes of complete subtrees, O(log n) of them per answer.
 */
export class TransparencyLog {
  constructor(private readonly db: Db) {}

  size(): Promise<number> {
    return logSize(this.db);
  }

  /** MTH of the first `size` leaves. */
  async root(size: number): Promise<Buffer> {
    if (size === 0) return emptyRoot();
    const known = await nodeHashes(this.db, nodesFor([[0, size]]));
    return rangeHash(0, size, (k) => known.get(k));
  }

  async inclusion(index: number, size: number): Promise<InclusionProof> {
    await this.checkSize(size);
    if (!(index < size)) throw new LogRequestError('bad-request', `index ${index} is not below size ${size}`);
    const ranges = inclusionRanges(index, size);
    const known = await nodeHashes(this.db, nodesFor([[index, index + 1], ...ranges]));
    const leaf = rangeHash(index, index + 1, (k) => known.get(k));
    return { index, size, leafHash: leaf.toString('hex'), proof: ranges.map(([lo, hi]) => rangeHash(lo, hi, (k) => known.get(k)).toString('hex')) };
  }

  async inclusionOfHash(hash: Buffer, size: number): Promise<InclusionProof> {
    await this.checkSize(size);
    const index = await indexOfLeafHash(this.db, hash);
    if (index === undefined || index >= size) throw new LogRequestError('not-found', `no leaf with hash ${hash.toString('hex')} in the first ${size} leaves`);
    return this.inclusion(index, size);
  }

  async consistency(from: number, to: number): Promise<ConsistencyProof> {
    await this.checkSize(to);
    if (from > to) throw new LogRequestError('bad-request', `from ${from} is above to ${to}`);
    const ranges = consistencyRanges(from, to);
    const known = await nodeHashes(this.db, nodesFor(ranges));
    return { from, to, proof: ranges.map(([lo, hi]) => rangeHash(lo, hi, (k) => known.get(k)).toString('hex')) };
  }

  /** A tlog-tiles hash tile: its hashes concatenated; undefined while the log has fewer than its width. */
  async tile(t: TileId): Promise<Buffer | undefined> {
    const hashes = await levelHashes(this.db, t.level * TILE_HEIGHT, t.index * TILE_WIDTH, t.width);
    return hashes.length === t.width ? Buffer.concat(hashes) : undefined;
  }

  private async checkSize(size: number): Promise<void> {
    const have = await this.size();
    if (size > have) throw new LogRequestError('not-found', `the log has ${have} leaves, not ${size}`);
  }
}
