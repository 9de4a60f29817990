import { randomInt } from 'node:crypto';
import { verifyConsistency, verifyInclusion } from '../crypto/merkle.js';
import { openCheckpoint, type AuditResult, type SeenLog } from '../core/log-audit.js';
import { KEYS_PATH } from './published-keys.js';

interface KeysDocument { log?: { origin?: unknown; noteKeys?: { publicKeyHex?: unknown; verifierKey?: unknown }[] } }

const SAMPLES = 8;

/**
 * Audits a node's log over its public HTTP face: the latest checkpoint's signature (with the keys
 * trusted on the first run, then pinned), a consistency proof from the checkpoint seen last time,
 * and inclusion proofs of some leaves against the new root. Leaf data is not public, so the tree
 * is recomputed from leaves only by a local audit.
 */
export async function auditRemote(baseUrl: string, seenOf: (origin: string) => SeenLog | undefined, timeoutMs = 10_000,
  /** Told the origin before seenOf is asked (a witness loads what it saw of that origin). */
  onOrigin?: (origin: string) => Promise<void>): Promise<AuditResult & { keys?: string[]; note?: string }> {
  const base = baseUrl.replace(/\/+$/, '');
  const get = async (path: string, as: 'json' | 'text') => {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`${base}${path}: HTTP ${res.status}`);
    return as === 'json' ? res.json() : res.text();
  };
  const doc = (await get(KEYS_PATH, 'json')) as KeysDocument;
  const origin = typeof doc.log?.origin === 'string' ? doc.log.origin : undefined;
  if (!origin) return { origin: base, problem: { message: `${base}${KEYS_PATH} names no log origin` } };
  await onOrigin?.(origin);
  const seen = seenOf(origin);
  const published = (doc.log?.noteKeys ?? []).filter((k) => typeof k.publicKeyHex === 'string' && /^04[0-9a-f]{128}$/i.test(k.publicKeyHex as string)).map((k) => k.publicKeyHex as string);
  // Keys are trusted on first use and pinned: a node cannot swap its key to sign a rewritten history.
  const keys = seen?.keys ?? published;
  const result: AuditResult & { keys?: string[]; note?: string } = { origin, keys };
  let c: { size: number; root: Buffer };
  try {
    result.note = (await get('/log/checkpoint', 'text')) as string;
    c = openCheckpoint(result.note, origin, keys.map((publicKeyHex) => ({ publicKeyHex })));
  } catch (err) {
    return { ...result, problem: { message: (err as Error).message } };
  }
  if (seen) {
    const old = Buffer.from(seen.root, 'hex');
    if (c.size < seen.size) return { ...result, problem: { message: `the checkpoint has ${c.size} leaves, fewer than the ${seen.size} seen last time` } };
    const p = c.size === seen.size ? { proof: [] as string[] } : (await get(`/log/proof/consistency?from=${seen.size}&to=${c.size}`, 'json')) as { proof: string[] };
    if (!verifyConsistency(seen.size, c.size, old, c.root, (p.proof ?? []).map((h) => Buffer.from(h, 'hex')))) {
      return { ...result, problem: { message: `the checkpoint of size ${c.size} is not consistent with the one of size ${seen.size} seen last time: history was rewritten` } };
    }
  }
  const picks = c.size === 0 ? [] : [...new Set([0, c.size - 1, ...Array.from({ length: SAMPLES }, () => randomInt(c.size))])];
  for (const index of picks) {
    const p = (await get(`/log/proof/inclusion?index=${index}&size=${c.size}`, 'json')) as { leafHash: string; proof: string[] };
    if (!verifyInclusion(index, c.size, Buffer.from(p.leafHash, 'hex'), p.proof.map((h) => Buffer.from(h, 'hex')), c.root)) {
      return { ...result, problem: { index, message: `the inclusion proof of leaf ${index} does not lead to the checkpoint's root` } };
    }
  }
  return { ...result, checkpoint: { size: c.size, root: c.root.toString('hex') } };
}
