import { randomBytes } from 'node:crypto';
import type { Db } from '../../store/db.js';
import { FrontDbRepo } from '../../store/front-db.js';

export interface ExchangeProgress { phase: 'rows' | 'errors'; moved: number; total: number }
export interface ExchangeSummary {
  from: string;
  to: string;
  /** lic_data rows moved from the province to the hub, per Cd_batch. */
  rows: number;
  batches: { batch: string; rows: number }[];
  /** lic_data_error rows moved back. */
  errors: number;
  /** Errors at the province that a later report answered. */
  resolved: number;
  /** The province's lic_data rows deleted: the hub has them and they are past the retention period. */
  purged: number;
  seconds: number;
}

/**
 * The exchange between two front DBs (ZWFW C 0124 5.3: the national data sharing and exchange
 * platform, which the standard leaves outside itself): new lic_data rows from a province's front DB
 * to the hub's, and the hub's lic_data_error rows for that province's batches back.
 *
 * Each direction keeps its cursor in the receiving database and advances it in the transaction that
 * inserts the rows, so an exchange stopped at any moment and run again moves every row exactly
 * once. Sending, the province's current Cd_batch is closed at the moment the rows to move are fixed
 * (the horizon), so each exchange carries one batch of the node's own writes.
 */
export class Exchange {
  private readonly from: FrontDbRepo;
  private readonly to: FrontDbRepo;

  /** @param retentionDays the province's lic_data rows the hub has, older than this, are deleted after the run (undefined: kept). */
  constructor(private readonly fromDb: Db, private readonly toDb: Db, private readonly chunkSize = 5000, private readonly retentionDays?: number) {
    this.from = new FrontDbRepo(fromDb);
    this.to = new FrontDbRepo(toDb);
  }

  async run(onProgress?: (p: ExchangeProgress) => void): Promise<ExchangeSummary> {
    const started = performance.now();
    const src = await this.from.state();
    const dst = await this.to.state();
    if (src.frontId === dst.frontId) throw new Error('--from and --to are the same front DB');

    // Rows: from the hub's cursor for this province up to the province's horizon.
    let pos = await this.to.cursor(this.toDb, 'exchange_in', src.frontId);
    const horizon = await this.from.horizon('lic_data', (_current, max) => (max > pos ? newBatch() : undefined));
    const total = Math.max(0, horizon - pos);
    const batches = new Map<string, number>();
    let rows = 0;
    while (pos < horizon) {
      const chunk = await this.from.rows(this.fromDb, pos, horizon, this.chunkSize);
      if (chunk.length === 0) break;
      const last = chunk[chunk.length - 1]!.id;
      const moved = await this.toDb.transaction(async (tx) => {
        const cur = await this.to.cursor(tx, 'exchange_in', src.frontId, true);
        if (cur !== pos) return cur; // another exchange moved these meanwhile
        await this.to.insertRows(tx, chunk);
        await this.to.advanceCursor(tx, 'exchange_in', src.frontId, last, chunk.length);
        const counts = new Map<string, { received: number }>();
        for (const r of chunk) counts.set(r.batch, { received: (counts.get(r.batch)?.received ?? 0) + 1 });
        await this.to.ledger(tx, counts, src.frontId);
        for (const [b, c] of counts) batches.set(b, (batches.get(b) ?? 0) + c.received);
        rows += chunk.length;
        return last;
      });
      pos = moved;
      onProgress?.({ phase: 'rows', moved: Math.min(total, total - (horizon - pos)), total });
    }

    // Errors: the hub's lic_data_error rows of this province's batches, from the province's cursor.
    let epos = await this.from.cursor(this.fromDb, 'errors_in', dst.frontId);
    const ehorizon = await this.to.horizon('lic_data_error');
    let errors = 0;
    while (epos < ehorizon) {
      const chunk = await this.to.errors(this.toDb, epos, ehorizon, this.chunkSize, src.frontId);
      // Fewer than a chunk: the scan reached the horizon, whatever the last matching row was.
      const upto = chunk.length < this.chunkSize ? ehorizon : chunk[chunk.length - 1]!.id;
      epos = await this.fromDb.transaction(async (tx) => {
        const cur = await this.from.cursor(tx, 'errors_in', dst.frontId, true);
        if (cur !== epos) return cur;
        await this.from.insertErrors(tx, chunk);
        await this.from.advanceCursor(tx, 'errors_in', dst.frontId, upto, chunk.length);
        errors += chunk.length;
        return upto;
      });
      onProgress?.({ phase: 'errors', moved: errors, total: errors });
    }
    const resolved = await this.from.resolveAnswered();
    // What the hub has (its cursor for this province), past the retention period, leaves the province's front DB.
    const purged = this.retentionDays === undefined ? 0 : await this.from.purgeTaken(await this.to.cursor(this.toDb, 'exchange_in', src.frontId), this.retentionDays);
    return {
      from: src.frontId, to: dst.frontId, rows, batches: [...batches].map(([batch, n]) => ({ batch, rows: n })), errors, resolved, purged,
      seconds: (performance.now() - started) / 1000,
    };
  }
}

/** A Cd_batch (varchar(32)): CST time to the second and 64 random bits, unique per exchange and per node. */
export function newBatch(now = new Date()): string {
  const t = new Date(now.getTime() + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
  return `${t}${randomBytes(8).toString('hex')}`;
}
