import { timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { Keyring } from '../crypto/keyring.js';
import { leafHash } from '../crypto/merkle.js';
import { parseLeaf, type LeafKind } from '../domain/log-leaf.js';
import { readLeaves } from '../store/transparency-log.js';
import { LogRequestError, type InclusionProof, type TransparencyLog } from './transparency-log.js';
import type { Checkpoints } from './checkpoints.js';

/** Where a holder's proof link points, under the log's public root. */
export const USAGE_PROOF_ROOT = '/log/leaf/usage';

/** A leaf with its inclusion proof in the latest signed checkpoint, and that checkpoint with its cosignatures. */
export interface LeafWithProof extends InclusionProof {
  kind: LeafKind;
  /** The leaf data (canonical JSON), base64: its SM3 leaf hash is `leafHash`. */
  leaf: string;
  /** The leaf data read: kind, ref, time, digest of the record, the holder's blind index. */
  facts: ReturnType<typeof parseLeaf>;
  /** The C2SP signed note of the checkpoint the proof is in, with the witnesses' cosignature lines. */
  checkpoint: string;
}

/**
 * Proofs of single leaves for those entitled to see them (issue 19): a holder, through the link each
 * of their uses carries (YRD holder view, the holder portal), and an auditor, by index. Leaf hashes
 * and proofs are public; the leaf data (which names the holder's blind index) is not, so a holder's
 * link carries a keyed tag over the usage record's id, and auditors present a credential.
 */
export class LeafProofs {
  constructor(private readonly db: Db, private readonly keys: Pick<Keyring, 'blindIndex'>, private readonly log: TransparencyLog, private readonly checkpoints: Checkpoints) {}

  /** The path of the proof of one use (a usage record's id), to put in front of the node's public base URL. */
  usageProofPath(usageId: number | string): string {
    return `${USAGE_PROOF_ROOT}/${usageId}?t=${this.tag(String(usageId))}`;
  }

  /** The leaf of a use and its proof, for a link made by usageProofPath; not-found for a wrong tag, as for a missing leaf. */
  async usageProof(usageId: string, tag: string): Promise<LeafWithProof> {
    if (!/^[1-9][0-9]{0,17}$/.test(usageId) || !this.tagMatches(usageId, tag)) throw new LogRequestError('not-found', 'no such proof link');
    const [row] = await this.db.query<{ idx: number }>(`select idx from log_leaves where kind = 'usage' and ref = $1`, [usageId]);
    if (!row) throw new LogRequestError('not-found', `use ${usageId} has no leaf in the log`);
    return this.leafAt(Number(row.idx));
  }

  /** For an auditor: the leaf at an index, its data and its proof. */
  async leafAt(index: number): Promise<LeafWithProof> {
    const [stored] = await readLeaves(this.db, index, 1);
    if (!stored || stored.index !== index) throw new LogRequestError('not-found', `the log has no leaf ${index}`);
    // The proof is in a signed checkpoint: one that already covers the leaf, else one signed now.
    let c = await this.checkpoints.latest();
    if (c.size <= index) { await this.checkpoints.make(); c = await this.checkpoints.latest(); }
    const proof = await this.log.inclusion(index, c.size);
    if (proof.leafHash !== leafHash(stored.body).toString('hex')) throw new Error(`leaf ${index}: the stored data does not hash to the tree's leaf`);
    return { ...proof, kind: stored.kind, leaf: stored.body.toString('base64'), facts: parseLeaf(stored.body), checkpoint: c.note };
  }

  private tag(usageId: string): string {
    return this.keys.blindIndex('usage-proof-link', usageId).subarray(0, 16).toString('base64url');
  }

  private tagMatches(usageId: string, tag: string): boolean {
    const want = Buffer.from(this.tag(usageId));
    const got = Buffer.from(tag);
    return got.length === want.length && timingSafeEqual(got, want);
  }
}
