import { parseCheckpoint } from '../domain/checkpoint.js';
import { openNote } from '../crypto/signed-note.js';
import { latestCheckpoint } from '../store/transparency-log.js';
import { verifyLogLocally } from './log-verify.js';
import type { Db } from '../store/db.js';
import type { Checkpoints, NoteKey } from './checkpoints.js';

/** What a verifier remembers of a log between runs: the last checkpoint it accepted, and the keys it trusts. */
export interface SeenLog { size: number; root: string; keys?: string[] }

export interface AuditResult {
  origin: string;
  /** The latest checkpoint, when it checked out. */
  checkpoint?: { size: number; root: string };
  /** Leaves recomputed (a local audit). */
  checked?: number;
  problem?: { index?: number; message: string };
}

/** Opens a checkpoint note with the first key that signed it; throws naming the problem. */
export function openCheckpoint(note: string, origin: string, keys: Pick<NoteKey, 'publicKeyHex'>[]): { size: number; root: Buffer } {
  let text: string | undefined;
  let last: Error | undefined;
  for (const k of keys) {
    try { text = openNote(note, origin, k.publicKeyHex); break; } catch (err) { last = err as Error; }
  }
  if (text === undefined) throw new Error(`the checkpoint is not signed by a key of ${origin} this verifier trusts${last ? ` (${last.message})` : ''}`);
  const c = parseCheckpoint(text);
  if (c.origin !== origin) throw new Error(`the checkpoint is of ${c.origin}, not ${origin}`);
  return c;
}

/**
 * Audits the node's log from its database: every leaf, subtree and record digest (verifyLogLocally),
 * the latest checkpoint's signature and root, and that the tree still has, at the size seen last
 * time, the root seen then (the log only grew since).
 */
export async function auditLocal(s: { db: Db; checkpoints: Checkpoints }, seenOf: (origin: string) => SeenLog | undefined): Promise<AuditResult> {
  const stored = await latestCheckpoint(s.db);
  const origin = await s.checkpoints.knownOrigin();
  const seen = seenOf(origin);
  const check = await verifyLogLocally(s.db, { rootsAt: [stored?.size, seen?.size].filter((n): n is number => n !== undefined) });
  const result: AuditResult = { origin, checked: check.checked };
  if (check.problem) return { ...result, problem: check.problem };
  if (seen && seen.size > check.size) return { ...result, problem: { message: `the log has ${check.size} leaves, fewer than the ${seen.size} seen last time` } };
  if (seen && check.rootsAt?.[seen.size] !== seen.root) {
    return { ...result, problem: { message: `the first ${seen.size} leaves no longer have the root seen last time: history was rewritten` } };
  }
  if (!stored) return result;
  let c: { size: number; root: Buffer };
  try {
    c = openCheckpoint(stored.note, origin, await s.checkpoints.noteKeys());
  } catch (err) {
    return { ...result, problem: { message: (err as Error).message } };
  }
  if (c.size !== stored.size || !c.root.equals(stored.root)) return { ...result, problem: { message: `the checkpoint of size ${stored.size} says otherwise in its signed text` } };
  if (check.rootsAt?.[c.size] !== c.root.toString('hex')) return { ...result, problem: { message: `the signed checkpoint of size ${c.size} does not match the leaves: its root differs` } };
  return { ...result, checkpoint: { size: c.size, root: c.root.toString('hex') } };
}
