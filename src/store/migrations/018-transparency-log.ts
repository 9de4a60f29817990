import type { Queryable } from '../db.js';
import { asBuffer } from '../db.js';
import { leafBytes } from '../../domain/log-leaf.js';
import { appendLeaves } from '../transparency-log.js';
import { eventLeaves, type EventRow } from '../certificate-events.js';

/**
 * The node's transparency log (seed 002 5.4.3 d; RFC 9162 hashing with SM3): leaves by a gap-free
 * index, the hash of every complete subtree (level 0: the leaf hashes), the size in one row whose
 * lock makes one integrator at a time, and the signed checkpoints. It replaces the SM3 chain of
 * usage_records, which forked with two writers. Catalog changes get a table of their own, so that
 * each leaf of one stands for a record that stays as it was.
 */
export const sql = `
create table log_leaves (
  idx   bigint primary key,
  kind  text not null check (kind in ('usage', 'certificate', 'catalog', 'operator')),
  ref   text not null,                                    -- the record's key in its own table
  body  bytea not null                                    -- canonical JSON: digests and blind indexes only
);
create table log_nodes (
  level smallint not null,
  idx   bigint not null,
  hash  bytea not null,                                   -- MTH of leaves [idx·2^level, (idx+1)·2^level)
  primary key (level, idx)
);
create index log_nodes_leaf_hash on log_nodes (hash) where level = 0;
create table log_state (
  one   boolean primary key default true check (one),
  size  bigint not null,
  frontier bytea[] not null default '{}',                 -- hashes of the complete subtrees the tree ends with
  origin text                                             -- the log's name, fixed by the first checkpoint
);
insert into log_state (size) values (0);
create table catalog_changes (
  id         bigserial primary key,
  type_code  text not null,
  action     text not null check (action in ('create', 'publish', 'withdraw', 'layout', 'adopt')),
  content    jsonb not null,                              -- the type as the change left it
  at         timestamptz not null default now()
);
create table operator_actions (
  id       bigserial primary key,
  action   text not null,                                 -- account.create, registration.approved, …
  subject  text not null,
  detail   jsonb not null,                                -- what was done, never a secret
  at       timestamptz not null default now()
);
create table witness_logs (                              -- other nodes' logs this node witnesses
  origin  text primary key,
  size    bigint not null,
  root    bytea not null,
  keys    text[] not null                                 -- their signing keys, pinned on first sight
);
create table witness_cosignatures (
  origin  text not null,
  size    bigint not null,
  note    text not null,                                  -- their checkpoint, with our cosignature line
  primary key (origin, size)
);
create table witness_evidence (                           -- checkpoints refused: kept as evidence
  id         bigserial primary key,
  origin     text not null,
  note       text,
  seen_size  bigint,
  seen_root  bytea,
  problem    text not null,
  at         timestamptz not null default now()
);
create table log_witnesses (                             -- witnesses whose cosignatures this node's checkpoints carry
  url   text primary key,
  name  text not null,
  key   text not null                                     -- pinned on first sight
);
create table log_cosignatures (
  size     bigint not null,
  witness  text not null,
  line     text not null,
  primary key (size, witness)
);
create table log_checkpoints (
  size     bigint primary key,
  root     bytea not null,
  note     text not null,                                 -- the signed note (C2SP tlog-checkpoint)
  made_at  timestamptz not null default now()
);
`;

const PAGE = 5000;

/**
 * The records kept before the log become its first leaves, in order: the chained usage records
 * (their chain hash as digest, so the verifier still checks each against its row), then the
 * lifecycle events.
 */
export async function run(tx: Queryable): Promise<void> {
  for (let last = 0; ;) {
    const rows = await tx.query<{ id: number; at: Date; hash: Uint8Array; holder_bidx: Uint8Array | null }>(
      'select id, at, hash, holder_bidx from usage_records where id > $1 order by id limit $2', [last, PAGE]);
    if (rows.length === 0) break;
    await appendLeaves(tx, rows.map((r) => {
      const ref = String(r.id);
      const holder = r.holder_bidx ? asBuffer(r.holder_bidx).toString('hex') : undefined;
      return { kind: 'usage' as const, ref, body: leafBytes({ kind: 'usage', ref, at: new Date(r.at).toISOString(), digest: asBuffer(r.hash).toString('hex'), ...(holder ? { holder } : {}) }) };
    }));
    last = Number(rows[rows.length - 1]!.id);
  }
  for (let last = 0; ;) {
    const rows = await tx.query<EventRow & { id: number }>('select * from certificate_events where id > $1 order by id limit $2', [last, PAGE]);
    if (rows.length === 0) break;
    await appendLeaves(tx, eventLeaves(rows));
    last = Number(rows[rows.length - 1]!.id);
  }
}
