import type { Db, Queryable } from '../../store/db.js';
import type { CertificateRepo } from '../../store/certificates.js';
import type { CertificateTypeRepo } from '../../store/certificate-types.js';
import { lastIdOfRowsText, type BatchLedgerRow, type FrontDbRepo } from '../../store/front-db.js';
import { catalogProblem, type CatalogEntry, type CatalogProblem } from '../../domain/catalog-row.js';
import { recordEvents } from '../../store/certificate-events.js';
import type { Keyring } from '../../crypto/keyring.js';
import { EMPTY_SEALED, inlinePreparer, workerPreparer, type PreparedRows, type Preparer } from './prepare.js';

export interface AggregateProgress { from: number; horizon: number; position: number; read: number; applied: number; rejected: number }
export interface BatchOutcome { batch: string; read: number; applied: number; rejected: number }
export interface AggregateSummary {
  /** The position before and after, and the horizon this run read up to. */
  from: number;
  to: number;
  horizon: number;
  read: number;
  applied: number;
  rejected: number;
  seconds: number;
  batches: BatchOutcome[];
  /** lic_data rows deleted after the run: aggregated, and past the retention period. */
  purged?: number;
}
export interface AggregateReport {
  position: number;
  pending: number;
  applied: number;
  rejected: number;
  updatedAt: string;
  batches: (BatchLedgerRow & { state: 'reconciled' | 'pending' | 'not exchanged' })[];
}

/** A chunk read and checked on its own, sealed: everything that does not depend on the catalog's state. */
interface Prepared extends PreparedRows {
  after: number;
}

class PositionMoved extends Error {}

/** The lifecycle event of each appendix H operation the catalog takes. */
const CATALOG_ACTION = { I: 'catalog-insert', U: 'catalog-update', D: 'catalog-delete' } as const;

/**
 * The hub's aggregator (ZWFW C 0124 5.3): reads new lic_data rows in ID order, checks each, applies
 * I/U/D to the catalog (the certificates table) and writes each refused row to lic_data_error with
 * a remark naming the field and the rule. A chunk's catalog writes, its error rows, its ledger
 * counts and the new position commit in one transaction: killed at any moment, the next run starts
 * where the last commit left off, and nothing is applied twice.
 *
 * I and U both write the row's state (a province may re-report with either after a refused I); D
 * keeps the entry but abolished, so the hub answers 21 (已废止或注销) for it rather than 10, which
 * would claim the certificate never existed. Within a chunk a later row for the same certificate
 * wins, as it would one row at a time.
 */
export class Aggregator {
  constructor(
    private readonly db: Db,
    private readonly front: FrontDbRepo,
    private readonly certs: CertificateRepo,
    private readonly types: CertificateTypeRepo,
    private readonly chunkSize = 5000,
    /** With keys, a run of more than two chunks checks and seals on a worker thread. */
    private readonly keys?: Keyring,
    /** lic_data rows aggregated more than this many days ago are deleted after a run (undefined: kept). */
    private readonly retentionDays?: number,
  ) {}

  /** Up to the horizon taken at the start; `signal` stops it between chunks (what is committed stays). */
  async run(opts: { onProgress?: (p: AggregateProgress) => void; maxRows?: number; signal?: AbortSignal } = {}): Promise<AggregateSummary> {
    const started = performance.now();
    const horizon = await this.front.horizon('lic_data');
    const from = (await this.front.position()).position;
    const typeNames = new Map((await this.types.list()).map((t) => [t.code, t.name]));
    const preparer: Preparer = this.keys && horizon - from > 2 * this.chunkSize ? workerPreparer(this.keys) : inlinePreparer(this.certs);
    let summary: AggregateSummary;
    try {
      summary = await this.runWith(preparer, from, horizon, typeNames, started, opts);
    } finally {
      await preparer.close();
    }
    // Rows the catalog has taken, past the retention period, leave the front DB: they name holders in plaintext.
    if (this.retentionDays !== undefined) summary.purged = await this.front.purgeTaken(summary.to, this.retentionDays);
    return summary;
  }

  private async runWith(preparer: Preparer, from: number, horizon: number, typeNames: Map<string, string>, started: number,
    opts: { onProgress?: (p: AggregateProgress) => void; maxRows?: number; signal?: AbortSignal }): Promise<AggregateSummary> {
    const totals = { read: 0, applied: 0, rejected: 0 };
    const batches = new Map<string, BatchOutcome>();
    let position = from;
    // Chunks are read in order and prepared ahead, as many at once as the preparer has threads,
    // while this one is written: each read starts where the one before it ended.
    let readFrom = position;
    let reading: Promise<unknown> = Promise.resolve();
    const queue: Promise<Prepared>[] = [];
    const refill = () => {
      while (queue.length < preparer.depth) {
        const read = reading.then(() => this.readChunk(readFrom, horizon)).then((r) => { readFrom = r.last; return r; });
        reading = read.catch(() => {});
        const prepared = read.then((r) => this.prepare(preparer, r, typeNames));
        prepared.catch(() => {});
        queue.push(prepared);
      }
    };
    refill();
    try {
      for (;;) {
        const chunk = await queue.shift()!;
        if (chunk.ids.length === 0) break;
        const last = chunk.ids[chunk.ids.length - 1]!;
        const more = opts.maxRows === undefined || totals.read + chunk.ids.length < opts.maxRows;
        if (more) refill();
        let outcome: Map<string, BatchOutcome>;
        try {
          outcome = await this.db.transaction((tx) => this.apply(tx, chunk));
        } catch (err) {
          if (!(err instanceof PositionMoved)) throw err;
          // Another aggregator went ahead: continue from where it is.
          await Promise.allSettled(queue.splice(0));
          position = (await this.front.position()).position;
          readFrom = position;
          refill();
          continue;
        }
        position = last;
        for (const [batch, o] of outcome) {
          const b = batches.get(batch) ?? { batch, read: 0, applied: 0, rejected: 0 };
          b.read += o.read; b.applied += o.applied; b.rejected += o.rejected;
          batches.set(batch, b);
          totals.read += o.read; totals.applied += o.applied; totals.rejected += o.rejected;
        }
        opts.onProgress?.({ from, horizon, position, ...totals });
        if (!more || opts.signal?.aborted) break;
      }
    } finally {
      // Chunks read ahead are dropped; their threads finish them before the preparer closes.
      await Promise.allSettled(queue);
    }
    return { from, to: position, horizon, ...totals, seconds: (performance.now() - started) / 1000, batches: [...batches.values()] };
  }

  /**
   * For monitoring: rows applied and refused since the hub began (by every aggregator process on
   * this database), rows waiting, and the age of the oldest waiting row (the aggregation lag).
   */
  async status(): Promise<{ applied: number; rejected: number; pending: number; lagSeconds: number }> {
    const [pos, backlog] = await Promise.all([this.front.position(), this.front.backlog()]);
    return { applied: pos.applied, rejected: pos.rejected, pending: backlog.pending, lagSeconds: backlog.oldestSeconds };
  }

  /** Where the aggregator stands, and each Cd_batch: received, applied, rejected. */
  async report(opts: { batch?: string; limit?: number } = {}): Promise<AggregateReport> {
    const pos = await this.front.position();
    const pending = Number((await this.db.query<{ n: number }>('select count(*)::bigint as n from front.lic_data where "ID" > $1', [pos.position]))[0]!.n);
    const rows = await this.front.batches(opts.limit ?? 50, opts.batch);
    return {
      ...pos, pending,
      batches: rows.map((b) => ({
        ...b,
        state: Number(b.received) === 0 ? 'not exchanged' as const
          : Number(b.applied) + Number(b.rejected) >= Number(b.received) ? 'reconciled' as const : 'pending' as const,
      })),
    };
  }

  /** The next chunk's rows as COPY text, and the ID of its last row (`after` when there are none). */
  private async readChunk(after: number, horizon: number): Promise<{ after: number; text?: Buffer; last: number }> {
    const text = after >= horizon ? undefined : await this.front.rowsText(this.db, after, horizon, this.chunkSize);
    return text?.length ? { after, text, last: lastIdOfRowsText(text) } : { after, last: after };
  }

  private async prepare(preparer: Preparer, { after, text }: { after: number; text?: Buffer }, typeNames: Map<string, string>): Promise<Prepared> {
    if (!text) return emptyChunk(after);
    const p = await preparer.prepare(text);
    for (let k = 0; k < p.ids.length; k++) {
      const i = p.sealedIndex[k]!;
      if (i < 0) continue;
      const problem = await this.typeProblem(p.sealed.entries[i]!, typeNames);
      if (problem) { p.problems[k] = problem; p.sealedIndex[k] = -1; }
    }
    return { after, ...p };
  }

  /** The hub's certificate types (F.3) are what provinces sync: a row of another type is refused (code 13's reason). */
  private async typeProblem(e: CatalogEntry, typeNames: Map<string, string>): Promise<CatalogProblem | undefined> {
    let known = typeNames.get(e.typeCode);
    if (known === undefined) {
      const t = await this.types.get(e.typeCode);
      if (t) { known = t.name; typeNames.set(t.code, t.name); }
    }
    if (known === undefined) return catalogProblem('typeCode', `${e.typeCode} is no certificate type of the hub (证照类型不存在或未发布)`);
    if (known !== e.typeName) return catalogProblem('typeName', `"${e.typeName}" is not the name "${known}" of type ${e.typeCode}`);
    return undefined;
  }

  /**
   * One chunk, in the caller's transaction: the checks against the catalog, the writes, the
   * position. Certificates new to the catalog go in by COPY, known ones by one upsert; the number
   * rule is left to the unique index and the upsert. Only when it refuses a row is the chunk
   * written again from a savepoint, after asking which numbers are taken, so rows are judged exactly
   * as one at a time would judge them.
   */
  private async apply(tx: Queryable, chunk: Prepared): Promise<Map<string, BatchOutcome>> {
    // The position commits with the rows, so a commit the server loses in a crash loses both: the
    // next run applies those rows again from the older position. Waiting for each chunk's WAL
    // flush buys nothing the position does not already guarantee.
    await tx.query('set local synchronous_commit = off');
    if ((await this.front.lockPosition(tx)) !== chunk.after) throw new PositionMoved();
    const { sealed } = chunk;
    const lookUpOwners = () => this.certs.catalogOwners(sealed.entries.map((e) => e.id), tx);
    // A chunk of inserts (the bulk of a first load) is taken to be all new and goes in by COPY
    // without asking the catalog first: if one certificate is known after all, the COPY fails on
    // the primary key and the chunk is judged against the owners like any other. Only when the
    // chunk's own rows leave every row standing, so no verdict could depend on the owners.
    let owners = new Map<string, string | null>();
    let d = this.decide(chunk, owners, new Map());
    const optimistic = sealed.entries.every((e) => e.operation === 'I') && d.errors.length === chunk.problems.filter((p) => p).length;
    if (!optimistic) {
      owners = await lookUpOwners();
      d = this.decide(chunk, owners, new Map());
    }
    await tx.query('savepoint catalog_chunk');
    let clean = true;
    let applied = d.pick;
    try {
      const fresh = d.pick.filter((i) => !owners.has(sealed.entries[i]!.id));
      const known = d.pick.filter((i) => owners.has(sealed.entries[i]!.id));
      await this.certs.copyCatalog(sealed, fresh, tx);
      clean = (await this.certs.upsertCatalog(sealed, known, tx, { numbers: true })).length === known.length;
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
      clean = false;
    }
    if (!clean) {
      await tx.query('rollback to savepoint catalog_chunk');
      if (optimistic) owners = await lookUpOwners();
      d = this.decide(chunk, owners, await this.certs.numberTakenBy(sealed, tx));
      const written = new Set(await this.certs.upsertCatalog(sealed, d.pick, tx, { numbers: true }));
      applied = d.pick.filter((i) => written.has(sealed.entries[i]!.id));
      // Left out still: numbers that change hands within the chunk; refused rather than guessed.
      for (const i of d.pick) {
        const e = sealed.entries[i]!;
        if (written.has(e.id)) continue;
        const k = d.finalRow.get(e.id)!;
        const o = d.outcome.get(chunk.batches[k]!)!;
        o.applied--; o.rejected++;
        d.errors.push({ id: chunk.ids[k]!, remark: catalogProblem('number', 'another certificate of the same type, issuer and version has this number').remark });
      }
    }
    await tx.query('release savepoint catalog_chunk');
    // Each I/U/D the catalog took is a lifecycle event, and so a leaf of the log, committed with the chunk.
    await recordEvents(tx, applied.map((i) => {
      const e = sealed.entries[i]!;
      const k = d.finalRow.get(e.id);
      return {
        certificateId: e.id, action: CATALOG_ACTION[e.operation], operator: { via: 'aggregation' },
        ...(k !== undefined ? { relatedId: `lic_data:${chunk.ids[k]}`, bizNum: chunk.batches[k] } : {}),
      };
    }));
    await this.front.rejectRows(tx, d.errors);
    await this.front.ledger(tx, d.outcome);
    const appliedCount = [...d.outcome.values()].reduce((n, o) => n + o.applied, 0);
    const rejected = [...d.outcome.values()].reduce((n, o) => n + o.rejected, 0);
    await this.front.advancePosition(tx, chunk.ids[chunk.ids.length - 1]!, appliedCount, rejected);
    return d.outcome;
  }

  /** Judges the chunk's rows in order against the catalog's owners and taken numbers (and earlier rows of the chunk). */
  private decide(chunk: Prepared, ownersInDb: Map<string, string | null>, taken: Map<number, string>) {
    const { ids, batches, problems, sealed, sealedIndex } = chunk;
    const owners = new Map(ownersInDb);
    // The number itself rather than its blind index: equal numbers have equal indexes.
    const numberKey = (e: CatalogEntry) => `${e.typeCode}\0${e.issuer.code}\0${e.number}\0${e.version}`;
    const numbers = new Map<string, string>();
    const outcome = new Map<string, BatchOutcome>();
    const errors: { id: number; remark: string }[] = [];
    /** The last accepted row per certificate: what the catalog ends with. */
    const finalIndex = new Map<string, number>();
    const finalRow = new Map<string, number>();

    ids.forEach((id, k) => {
      const batch = batches[k]!;
      const o = outcome.get(batch) ?? { batch, read: 0, applied: 0, rejected: 0 };
      outcome.set(batch, o);
      o.read++;
      const i = sealedIndex[k]!;
      let problem = problems[k] ?? undefined;
      if (i >= 0) {
        const e = sealed.entries[i]!;
        const owner = owners.get(e.id);
        const otherNumber = numbers.get(numberKey(e)) ?? taken.get(i);
        if (owners.has(e.id) && owner !== e.dataSource) {
          problem = catalogProblem('sourceId', `already in the catalog from ${owner ? `data source ${owner}` : 'this node itself'}`);
        } else if (otherNumber !== undefined && otherNumber !== e.id) {
          problem = catalogProblem('number', `certificate ${otherNumber} of the same type, issuer and version has this number`);
        } else {
          owners.set(e.id, e.dataSource);
          numbers.set(numberKey(e), e.id);
          finalIndex.set(e.id, i);
          finalRow.set(e.id, k);
          o.applied++;
        }
      }
      if (problem) {
        o.rejected++;
        errors.push({ id, remark: problem.remark });
      }
    });

    /** The entries written: the last accepted row of each certificate, in order. */
    const pick = [...finalIndex.values()].sort((a, b) => a - b);
    return { pick, errors, outcome, finalRow };
  }
}

function emptyChunk(after: number): Prepared {
  return { after, ids: [], batches: [], problems: [], sealed: EMPTY_SEALED, sealedIndex: [] };
}

/**
 * Runs the aggregator every `intervalMs` until stopped (a hub node); one run at a time, a failed
 * run reported and retried at the next tick.
 */
export function aggregateEvery(
  aggregator: Aggregator,
  intervalMs: number,
  on: { summary?: (s: AggregateSummary) => void; progress?: (p: AggregateProgress) => void; error?: (err: Error) => void },
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const abort = new AbortController();
  const tick = () => {
    running = aggregator.run({ onProgress: on.progress, signal: abort.signal }).then(
      (s) => { on.summary?.(s); },
      (err: Error) => { on.error?.(err); },
    ).finally(() => { if (!stopped) timer = setTimeout(tick, intervalMs); });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      abort.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
