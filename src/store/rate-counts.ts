import type { Queryable } from './db.js';

/** The shared request counts of the rate limit (migration 017). */
export class RateCounts {
  constructor(private readonly db: Queryable) {}

  /** Adds each key's hits in the window and answers every key's total over all processes. */
  async add(windowStart: number, hits: ReadonlyMap<string, { key: Buffer; n: number }>): Promise<Map<string, number>> {
    const names = [...hits.keys()];
    if (names.length === 0) return new Map();
    const byDigest = new Map(names.map((k) => [hits.get(k)!.key.toString('hex'), k]));
    // In key order, so processes adding the same keys at once lock the rows in one order (no deadlock).
    const rows = await this.db.query<{ key: Buffer; hits: number }>(
      `insert into rate_counts as r (key, window_start, hits)
       select key, $3, n from unnest($1::bytea[], $2::int[]) as g(key, n) order by key
       on conflict (key, window_start) do update set hits = r.hits + excluded.hits
       returning key, hits`,
      [names.map((k) => hits.get(k)!.key), names.map((k) => hits.get(k)!.n), windowStart], 'rate-counts-add');
    return new Map(rows.map((r) => [byDigest.get(r.key.toString('hex'))!, r.hits]));
  }

  /** A key's total in the window (0 when no process has added it yet). */
  async read(windowStart: number, key: Buffer): Promise<number> {
    const rows = await this.db.query<{ hits: number }>('select hits from rate_counts where key = $1 and window_start = $2', [key, windowStart], 'rate-counts-read');
    return rows[0]?.hits ?? 0;
  }

  /** Forgets windows that started before `before`. */
  async purge(before: number): Promise<void> {
    await this.db.query('delete from rate_counts where window_start < $1', [before], 'rate-counts-purge');
  }
}
