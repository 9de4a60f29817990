import type { Db, Queryable } from '../store/db.js';
import { asBuffer } from '../store/db.js';
import type { Keyring } from '../crypto/keyring.js';
import { sm3 } from '../crypto/sm3.js';
import { canonicalJson } from '../domain/canonical.js';
import { leafBytes } from '../domain/log-leaf.js';
import { scrubIdNumbers } from '../domain/scrub-text.js';
import { appendLeaves } from '../store/transparency-log.js';
import type { ReachCall } from './reach/call.js';

/** Who is calling, why, and from where: what every use record needs. */
export interface CallContext {
  dialect: string;
  interface: string;
  accountId?: string;
  operator?: string;
  itemCode?: string;
  itemName?: string;
  reason?: string;
  /**
   * The caller's interface has no field for a reason, so none is required of it (ZWFW C 0124 table
   * 5: the GB/T 36906 `queryinfo` maps UseFor to no parameter of its own).
   */
  reasonNotAsked?: boolean;
  /** The case (办件) the use belongs to, where the dialect names one (Beijing biz_num). */
  bizNum?: string;
  clientIp?: string;
  correlationId?: string;
  /**
   * Whatever else the caller states about the call that the record should keep, under the
   * dialect's own names (Zaozhuang: system, district, department, operator's address…). The core
   * stores it and never reads it.
   */
  context?: Readonly<Record<string, string>>;
  /**
   * The call object (core/reach/call.ts): whether a failure was recorded already, the records
   * still committing, the way the call took. Never stored.
   */
  call?: ReachCall;
}

/** One use of the sharing service (用证记录): the call, whose certificates it touched, and its result. */
export interface UsageEntry extends CallContext {
  holderCode?: string;
  certificateIds: string[];
  resultCode: string;
}

export interface UsageRow {
  id: number;
  at: string;
  dialect: string;
  interface: string;
  accountId: string | null;
  operator: string | null;
  itemCode: string | null;
  itemName: string | null;
  reason: string | null;
  bizNum: string | null;
  certificateIds: string[];
  resultCode: string;
  clientIp: string | null;
  correlationId: string | null;
  context: Record<string, string> | null;
  hash: string;
}

/**
 * Told of each record as it is queued and of each group commit (the node's metrics listen); the
 * recorder knows nothing of who listens, and a listener's failure never fails a record.
 */
export interface UsageObserver {
  recorded?(entry: Readonly<Pick<UsageEntry, 'dialect' | 'interface' | 'resultCode'>>): void;
  /** One transaction of `records` records, `seconds` long; `ok` false when the database refused it. */
  committed?(records: number, seconds: number, ok: boolean): void;
}

interface Pending { entry: UsageEntry; at: Date; resolve: () => void; reject: (e: unknown) => void }

const COLUMNS = ['at', 'dialect', 'interface', 'account_id', 'operator', 'item_code', 'item_name', 'reason',
  'holder_bidx', 'certificate_ids', 'result_code', 'client_ip', 'correlation_id', 'prev_hash', 'hash', 'biz_num', 'context'] as const;
const MAX_BATCH = 400;

/**
 * SM3(previous hash ‖ canonical JSON of the record). Records written before the transparency log
 * were chained through `prev` (migration 016 made them its first leaves); records written since
 * have no `prev`, their place being fixed by their leaf instead.
 */
export function usageDigest(prev: Buffer | null, e: Omit<UsageEntry, 'holderCode'> & { at: Date; holderIndex: Buffer | null }): Buffer {
  const body = {
    at: e.at.toISOString(), dialect: e.dialect, interface: e.interface, accountId: e.accountId ?? '', operator: e.operator ?? '',
    itemCode: e.itemCode ?? '', itemName: e.itemName ?? '', reason: e.reason ?? '', holder: e.holderIndex?.toString('hex') ?? '',
    certificateIds: e.certificateIds, resultCode: e.resultCode, clientIp: e.clientIp ?? '', correlationId: e.correlationId ?? '',
    // Added with the Beijing interface; absent when empty, so records written before hash as they did.
    ...(e.bizNum ? { bizNum: e.bizNum } : {}),
    // Added with the Zaozhuang interface, likewise absent when empty.
    ...(e.context && Object.keys(e.context).length > 0 ? { context: e.context } : {}),
  };
  return sm3(Buffer.concat([prev ?? Buffer.alloc(0), Buffer.from(canonicalJson(body), 'utf8')]));
}

/** The context as stored: string values only, empty ones left out; undefined when nothing is left. */
function contextOf(c: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (!c) return undefined;
  const kept = Object.entries(c).filter(([, v]) => typeof v === 'string' && v !== '');
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

function scrubContext(c: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, scrubIdNumbers(v)]));
}

/**
 * Records every use and commits it before the caller answers. Concurrent records share one
 * transaction (group commit): while one batch is being written the next one gathers, so throughput
 * grows with load without any artificial delay; a group the database refuses is written again
 * record by record, so only the refused record's request fails. Each record becomes a leaf of the
 * node's transparency log in the same transaction, so no answer leaves before its leaf is in the
 * log, and the order of leaves is the database's whatever the number of processes.
 */
export class UsageRecorder {
  private queue: Pending[] = [];
  private flushing = false;
  private readonly observers = new Set<UsageObserver>();

  /** @param opts.leaves false only to measure what the log costs (bench/tlog.ts). */
  constructor(private readonly db: Db, private readonly keys: Keyring, private readonly opts: { leaves: boolean } = { leaves: true }) {}

  /** Adds an observer; the function returned removes it. */
  observe(o: UsageObserver): () => void {
    this.observers.add(o);
    return () => { this.observers.delete(o); };
  }

  private tell(fn: (o: UsageObserver) => void): void {
    for (const o of this.observers) {
      try { fn(o); } catch { /* an observer never fails a record */ }
    }
  }

  record(entry: UsageEntry): Promise<void> {
    const context = contextOf(entry.context);
    const { call: _call, ...e }: UsageEntry = entry;
    if (context) e.context = scrubContext(context); else delete e.context;
    // Caller-supplied free text keeps no citizen ID number at rest (issue 15); the holder is the blind index.
    for (const k of ['reason', 'operator', 'itemName'] as const) if (e[k] !== undefined) e[k] = scrubIdNumbers(e[k]);
    this.tell((o) => o.recorded?.(e));
    return new Promise((resolve, reject) => {
      this.queue.push({ entry: e, at: new Date(), resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        if (await this.tryWrite(batch)) continue;
        // One record the database refuses must not fail the others' requests: each is written alone,
        // and only a record that fails alone fails its request.
        if (batch.length > 1) for (const p of batch) await this.tryWrite([p]);
      }
    } catch (err) {
      for (const p of this.queue.splice(0)) p.reject(err);
    } finally {
      this.flushing = false;
    }
  }

  /** Writes records in one transaction and settles them: true when written, false when each was rejected (a lone one) or left pending. */
  private async tryWrite(batch: Pending[]): Promise<boolean> {
    const started = performance.now();
    try {
      await this.db.transaction((tx) => this.write(tx, batch));
      this.tell((o) => o.committed?.(batch.length, (performance.now() - started) / 1000, true));
      for (const p of batch) p.resolve();
      return true;
    } catch (err) {
      this.tell((o) => o.committed?.(batch.length, (performance.now() - started) / 1000, false));
      if (batch.length === 1) batch[0]!.reject(err);
      return false;
    }
  }

  private async write(tx: Queryable, batch: Pending[]): Promise<void> {
    // Column arrays through unnest: one statement shape for any batch size, so it stays prepared.
    const cols: unknown[][] = COLUMNS.map(() => []);
    const facts: { at: Date; hash: Buffer; bidx: Buffer | null }[] = [];
    for (const { entry: e, at } of batch) {
      const bidx = e.holderCode ? this.keys.blindIndex('holder', e.holderCode) : null;
      const hash = usageDigest(null, { ...e, at, holderIndex: bidx });
      const row = [at, e.dialect, e.interface, e.accountId ?? null, e.operator ?? null, e.itemCode ?? null, e.itemName ?? null,
        e.reason ?? null, bidx, JSON.stringify(e.certificateIds), e.resultCode, e.clientIp ?? null, e.correlationId ?? null, null, hash, e.bizNum ?? null,
        e.context ? JSON.stringify(e.context) : null];
      row.forEach((v, i) => cols[i]!.push(v));
      facts.push({ at, hash, bidx });
    }
    const ids = await tx.query<{ id: number }>(
      `insert into usage_records (${COLUMNS.join(', ')})
       select at, dialect, interface, account_id, operator, item_code, item_name, reason, holder_bidx,
              array(select jsonb_array_elements_text(ids::jsonb)), result_code, client_ip, correlation_id, prev_hash, hash, biz_num, ctx::jsonb
       from unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::bytea[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bytea[], $15::bytea[], $16::text[], $17::text[])
         with ordinality as u(at, dialect, interface, account_id, operator, item_code, item_name, reason, holder_bidx, ids,
              result_code, client_ip, correlation_id, prev_hash, hash, biz_num, ctx, n)
       order by n
       returning id`,
      cols,
      'usage-insert',
    );
    if (!this.opts.leaves) return;
    // Ids are drawn in the order rows are inserted, which is the batch's order.
    const sorted = ids.map((r) => Number(r.id)).sort((a, b) => a - b);
    await appendLeaves(tx, facts.map((f, i) => ({
      kind: 'usage' as const, ref: String(sorted[i]),
      body: leafBytes({ kind: 'usage', ref: String(sorted[i]), at: f.at.toISOString(), digest: f.hash.toString('hex'), ...(f.bidx ? { holder: f.bidx.toString('hex') } : {}) }),
    })));
  }

  /** The digest a stored record should have, recomputed from its columns: the log verifier's check of a usage leaf. */
  static digestOfRow(r: Record<string, unknown>): Buffer {
    return usageDigest(r.prev_hash ? asBuffer(r.prev_hash) : null, {
      at: new Date(r.at as string), dialect: r.dialect as string, interface: r.interface as string,
      accountId: (r.account_id as string | null) ?? undefined, operator: (r.operator as string | null) ?? undefined,
      itemCode: (r.item_code as string | null) ?? undefined, itemName: (r.item_name as string | null) ?? undefined,
      reason: (r.reason as string | null) ?? undefined, holderIndex: r.holder_bidx ? asBuffer(r.holder_bidx) : null,
      certificateIds: r.certificate_ids as string[], resultCode: r.result_code as string,
      clientIp: (r.client_ip as string | null) ?? undefined, correlationId: (r.correlation_id as string | null) ?? undefined,
      bizNum: (r.biz_num as string | null) ?? undefined,
      context: (r.context as Record<string, string> | null) ?? undefined,
    });
  }

  async list(filter: { holderCode?: string; since?: Date; limit?: number }): Promise<UsageRow[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.holderCode) { params.push(this.keys.blindIndex('holder', filter.holderCode)); where.push(`holder_bidx = $${params.length}`); }
    if (filter.since) { params.push(filter.since); where.push(`at >= $${params.length}`); }
    params.push(Math.min(filter.limit ?? 1000, 100_000));
    const rows = await this.db.query<Record<string, unknown>>(
      `select id, at, dialect, interface, account_id, operator, item_code, item_name, reason, biz_num, certificate_ids, result_code,
         client_ip, correlation_id, context, hash from usage_records ${where.length ? 'where ' + where.join(' and ') : ''}
       order by id desc limit $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      id: Number(r.id), at: new Date(r.at as string).toISOString(), dialect: r.dialect as string, interface: r.interface as string,
      accountId: r.account_id as string | null, operator: r.operator as string | null, itemCode: r.item_code as string | null,
      itemName: r.item_name as string | null, reason: r.reason as string | null, bizNum: r.biz_num as string | null, certificateIds: r.certificate_ids as string[],
      resultCode: r.result_code as string, clientIp: r.client_ip as string | null, correlationId: r.correlation_id as string | null,
      context: (r.context as Record<string, string> | null) ?? null,
      hash: asBuffer(r.hash).toString('hex'),
    }));
  }
}
