import type { Db } from '../store/db.js';
import { leafHash, nodeKey, RootBuilder, type NodeId } from '../crypto/merkle.js';
import { parseLeaf } from '../domain/log-leaf.js';
import { logSize, nodeHashes, readLeaves, type StoredLeaf } from '../store/transparency-log.js';
import { eventDigest, type EventRow } from '../store/certificate-events.js';
import { UsageRecorder } from './usage.js';
import { operatorActionDigest, type OperatorActionRow } from '../store/operator-actions.js';
import { catalogChangeDigest, type CatalogChangeRow } from '../store/catalog-changes.js';

export interface LogCheck {
  /** Leaves checked before the first problem (all of them when there is none). */
  checked: number;
  size: number;
  root?: string;
  /** MTH at the sizes asked for (rootsAt), hex, where the log reached them. */
  rootsAt?: Record<number, string>;
  /** The first problem found, with the leaf index it concerns where there is one. */
  problem?: { index?: number; message: string };
}

const PAGE = 5000;

/**
 * Checks a node's log from its database: leaves numbered 0…size-1 without a gap, each leaf hash
 * and every stored subtree hash recomputed, each leaf's digest recomputed from the record it stands
 * for, and every usage record present in the log. Stops at the first problem.
 */
export async function verifyLogLocally(db: Db, opts: { rootsAt?: number[]; onProgress?: (checked: number) => void } = {}): Promise<LogCheck> {
  const size = await logSize(db);
  const rootsAt: Record<number, string> = {};
  const want = new Set(opts.rootsAt ?? []);
  if (want.has(0)) rootsAt[0] = new RootBuilder().root().toString('hex');
  let computed: { id: NodeId; hash: Buffer }[] = [];
  const tree = new RootBuilder((id, hash) => computed.push({ id, hash }));
  let checked = 0;
  const fail = (message: string, index?: number): LogCheck => ({ checked, size, problem: { ...(index !== undefined ? { index } : {}), message } });
  for (;;) {
    const page = await readLeaves(db, checked, PAGE);
    if (page.length === 0) break;
    const records = await recordDigests(db, page);
    computed = [];
    for (const leaf of page) {
      if (leaf.index !== checked) return fail(`leaf ${checked} is missing`, checked);
      const h = leafHash(leaf.body);
      if (!h.equals(leaf.hash)) return fail(`leaf ${leaf.index}: its stored hash is not the hash of its data`, leaf.index);
      const facts = parseLeaf(leaf.body);
      if (facts.kind !== leaf.kind || facts.ref !== leaf.ref) return fail(`leaf ${leaf.index}: its data names ${facts.kind} ${facts.ref}, not ${leaf.kind} ${leaf.ref}`, leaf.index);
      const digest = records.get(`${leaf.kind}/${leaf.ref}`);
      if (digest === undefined) return fail(`leaf ${leaf.index}: ${leaf.kind} record ${leaf.ref} is missing`, leaf.index);
      if (digest !== facts.digest) return fail(`leaf ${leaf.index}: ${leaf.kind} record ${leaf.ref} was altered (its digest differs)`, leaf.index);
      tree.push(h);
      checked++;
      if (want.has(checked)) rootsAt[checked] = tree.root().toString('hex');
    }
    const stored = await nodeHashes(db, computed.map((c) => c.id));
    for (const c of computed) {
      if (!stored.get(nodeKey(c.id))?.equals(c.hash)) return fail(`tree node ${nodeKey(c.id)} does not match the leaves under it`);
    }
    opts.onProgress?.(checked);
  }
  if (checked !== size) return fail(`the log says it has ${size} leaves, ${checked} are stored`, checked);
  const [orphan] = await db.query<{ id: number }>(
    `select u.id from usage_records u where not exists (select 1 from log_leaves l where l.kind = 'usage' and l.ref = u.id::text) order by u.id limit 1`);
  if (orphan) return fail(`usage record ${orphan.id} has no leaf in the log`);
  return { checked, size, root: tree.root().toString('hex'), rootsAt };
}

/** The digests the records named by these leaves have now, by kind/ref. */
async function recordDigests(db: Db, leaves: StoredLeaf[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const refs = (kind: string) => leaves.filter((l) => l.kind === kind).map((l) => l.ref);
  const usage = refs('usage');
  if (usage.length > 0) {
    for (const r of await db.query<Record<string, unknown>>('select * from usage_records where id = any($1::bigint[])', [usage])) {
      out.set(`usage/${r.id}`, UsageRecorder.digestOfRow(r).toString('hex'));
    }
  }
  const events = refs('certificate');
  if (events.length > 0) {
    for (const r of await db.query<EventRow & { id: number }>('select * from certificate_events where id = any($1::bigint[])', [events])) {
      out.set(`certificate/${r.id}`, eventDigest(r).toString('hex'));
    }
  }
  const changes = refs('catalog');
  if (changes.length > 0) {
    for (const r of await db.query<CatalogChangeRow>('select * from catalog_changes where id = any($1::bigint[])', [changes])) {
      out.set(`catalog/${r.id}`, catalogChangeDigest(r).toString('hex'));
    }
  }
  const actions = refs('operator');
  if (actions.length > 0) {
    for (const r of await db.query<OperatorActionRow>('select * from operator_actions where id = any($1::bigint[])', [actions])) {
      out.set(`operator/${r.id}`, operatorActionDigest(r).toString('hex'));
    }
  }
  return out;
}
