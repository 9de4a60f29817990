import type { Queryable } from './db.js';
import { asBuffer } from './db.js';
import { appendNodes, frontier, leafHash, nodeKey, type NodeId } from '../crypto/merkle.js';
import type { LeafKind } from '../domain/log-leaf.js';

/**
 * The log's tables: leaves by gap-free index, the hashes of every complete subtree (level 0 being
 * the leaf hashes), the size in a single row, and the signed checkpoints.
 */
export interface NewLeaf { kind: LeafKind; ref: string; body: Buffer }

/**
 * Appends leaves inside the caller's transaction, so they commit or vanish with the records they
 * stand for. The size row is updated first: its row lock makes this transaction the only integrator
 * until it ends, whatever the number of processes, and a rollback gives the indexes back, so they
 * stay gap-free. Returns the first index given.
 */
export async function appendLeaves(tx: Queryable, leaves: NewLeaf[]): Promise<number> {
  if (leaves.length === 0) throw new Error('no leaves to append');
  // Claiming the size and writing the frontier are two statements: outside a transaction another
  // appender could claim between them and find the frontier of a size that no longer is.
  if ('transaction' in tx) throw new Error('appendLeaves needs a transaction (see atomically in db.ts)');
  // The size row also keeps the frontier's hashes, so an appender reads no other row.
  const [row] = await tx.query<{ start: number; frontier: Uint8Array[] }>(
    'update log_state set size = size + $1 returning size - $1 as start, frontier', [leaves.length], 'log-claim');
  const start = Number(row!.start);
  const edge = frontier(start);
  if (row!.frontier.length !== edge.length) throw new Error(`the log's frontier at ${start} has ${row!.frontier.length} hashes, not ${edge.length}`);
  const known = new Map(edge.map((id, i) => [nodeKey(id), asBuffer(row!.frontier[i])]));
  const made = appendNodes(start, known, leaves.map((l) => leafHash(l.body)));
  for (const m of made) known.set(nodeKey(m.id), m.hash);
  const next = frontier(start + leaves.length).map((id) => known.get(nodeKey(id))!);
  // The leaves, every subtree they complete, and the new frontier: one statement.
  await tx.query(
    `with l as (insert into log_leaves (idx, kind, ref, body) select * from unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[])),
          n as (insert into log_nodes (level, idx, hash) select * from unnest($5::smallint[], $6::bigint[], $7::bytea[]))
     update log_state set frontier = $8::bytea[]`,
    [leaves.map((_, i) => start + i), leaves.map((l) => l.kind), leaves.map((l) => l.ref), leaves.map((l) => l.body),
      made.map((m) => m.id.level), made.map((m) => m.id.index), made.map((m) => m.hash), next], 'log-append');
  return start;
}

/** The stored hashes of these complete subtrees, by nodeKey; a subtree not stored is left out. */
export async function nodeHashes(q: Queryable, ids: NodeId[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (ids.length === 0) return out;
  const rows = await q.query<{ level: number; idx: number; hash: Uint8Array }>(
    'select level, idx, hash from log_nodes where (level, idx) in (select * from unnest($1::smallint[], $2::bigint[]))',
    // Unnamed, so planned with its values each time: a plan cached while the table was small would scan it.
    [ids.map((n) => n.level), ids.map((n) => n.index)]);
  for (const r of rows) out.set(nodeKey({ level: Number(r.level), index: Number(r.idx) }), asBuffer(r.hash));
  return out;
}

export async function logSize(q: Queryable): Promise<number> {
  const [row] = await q.query<{ size: number }>('select size from log_state');
  return Number(row?.size ?? 0);
}

/** The index of the leaf with this hash, if any (the first, should a leaf repeat). */
export async function indexOfLeafHash(q: Queryable, hash: Buffer): Promise<number | undefined> {
  const rows = await q.query<{ idx: number }>('select idx from log_nodes where level = 0 and hash = $1 order by idx limit 1', [hash]);
  return rows[0] ? Number(rows[0].idx) : undefined;
}

export interface StoredLeaf { index: number; kind: LeafKind; ref: string; body: Buffer; hash: Buffer }

/** Leaves from `from` on, in index order, with their stored hashes: the verifier's reading. */
export async function readLeaves(q: Queryable, from: number, limit: number): Promise<StoredLeaf[]> {
  const rows = await q.query<{ idx: number; kind: LeafKind; ref: string; body: Uint8Array; hash: Uint8Array | null }>(
    `select l.idx, l.kind, l.ref, l.body, n.hash from log_leaves l left join log_nodes n on n.level = 0 and n.idx = l.idx
     where l.idx >= $1 order by l.idx limit $2`, [from, limit]);
  return rows.map((r) => ({ index: Number(r.idx), kind: r.kind, ref: r.ref, body: asBuffer(r.body), hash: r.hash ? asBuffer(r.hash) : Buffer.alloc(0) }));
}

export interface StoredCheckpoint { size: number; root: Buffer; note: string }

export async function latestCheckpoint(q: Queryable): Promise<StoredCheckpoint | undefined> {
  const rows = await q.query<{ size: number; root: Uint8Array; note: string }>('select size, root, note from log_checkpoints order by size desc limit 1');
  return rows[0] ? { size: Number(rows[0].size), root: asBuffer(rows[0].root), note: rows[0].note } : undefined;
}

/** Keeps a checkpoint; another process may have signed the same size first, and then its note stays. */
export async function saveCheckpoint(q: Queryable, c: StoredCheckpoint): Promise<void> {
  await q.query('insert into log_checkpoints (size, root, note) values ($1, $2, $3) on conflict (size) do nothing', [c.size, c.root, c.note]);
}

/** The log's origin: the one stored, or `proposed` stored now if there is none yet (the first checkpoint's). */
export async function fixOrigin(q: Queryable, proposed: string): Promise<string> {
  const [row] = await q.query<{ origin: string }>('update log_state set origin = coalesce(origin, $1) returning origin', [proposed]);
  return row!.origin;
}

/** `count` stored hashes of tree level `level` from index `from` on, in order (fewer if not all exist). */
export async function levelHashes(q: Queryable, level: number, from: number, count: number): Promise<Buffer[]> {
  const rows = await q.query<{ hash: Uint8Array }>(
    'select hash from log_nodes where level = $1 and idx >= $2 and idx < $3 order by idx', [level, from, from + count], 'log-level-hashes');
  return rows.map((r) => asBuffer(r.hash));
}

/** The log's origin if a checkpoint fixed one. */
export async function storedOrigin(q: Queryable): Promise<string | undefined> {
  const [row] = await q.query<{ origin: string | null }>('select origin from log_state');
  return row?.origin ?? undefined;
}
