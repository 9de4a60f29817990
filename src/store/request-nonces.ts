import type { Queryable } from './db.js';

/**
 * Signed requests seen, for replay refusal shared by every process on one database (table
 * trusted_request_nonces, migration 012): an app's nonces, and digests of peers' signatures.
 * Records `nonce` under `scope`; false when it was there before (a replay). Entries older than
 * `keepSeconds` are dropped now and then: a request that old is refused by its timestamp anyway.
 */
export async function firstUse(q: Queryable, scope: string, nonce: string, keepSeconds: number): Promise<boolean> {
  if (Math.random() < 0.01) await q.query(`delete from trusted_request_nonces where seen_at < now() - make_interval(secs => $1)`, [keepSeconds]);
  const rows = await q.query(
    'insert into trusted_request_nonces (app_id, nonce) values ($1, $2) on conflict do nothing returning nonce', [scope, nonce], 'trusted-nonce');
  return rows.length === 1;
}
