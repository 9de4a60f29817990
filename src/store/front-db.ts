import type { Db, Queryable } from './db.js';
import type { CatalogRow } from '../domain/catalog-row.js';
import { parseCopyText } from './copy-text.js';

/**
 * The front DB (schema `front`, migrations 009 and 014): `lic_data` and `lic_data_error` under their
 * appendix H names, mapped to the core's CatalogRow, and the bookkeeping beside them.
 *
 * Ordering: IDs are identity values, but a transaction can take an ID and commit after a later one.
 * Whoever reads "every row after my position" first takes a horizon: it locks the table in SHARE ROW
 * EXCLUSIVE mode (which waits for every open inserter and lets readers through), reads the largest
 * ID and lets go. Every row up to the horizon is then committed or never will be, and later rows
 * get larger IDs.
 */
export interface StoredRow extends CatalogRow { id: number }
export interface StoredError extends StoredRow { remark: string }

/** New rows as a node writes them: the time and the batch come from the front DB. */
export type NewCatalogRow = Omit<CatalogRow, 'time' | 'batch'>;

export type FrontTable = 'lic_data' | 'lic_data_error';

const DATA_COLUMNS = `"CertificateSourceId", "CertificateName", "CertificateType", "CertificateTypeCode", "IssueDept", "IssueDeptCode",
  "CertificateAreaCode", "CertificateHolder", "CertificateHolderCode", "CertificateHolderType", "CertificateNumber", "IssueDate"`;

const SELECT_DATA = `"ID" as id, "CertificateSourceId" as "sourceId", "CertificateName" as name, "CertificateType" as "typeName",
  "CertificateTypeCode" as "typeCode", "IssueDept" as "issuerName", "IssueDeptCode" as "issuerCode", "CertificateAreaCode" as "areaCode",
  "CertificateHolder" as "holderName", "CertificateHolderCode" as "holderCode", "CertificateHolderType" as "holderType",
  "CertificateNumber" as number, "IssueDate" as "issueDate"`;

/** unnest() over one array per column: one statement for a whole chunk, whatever its size. */
const UNNEST_DATA = `$1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[]`;

function dataArrays(rows: readonly NewCatalogRow[]): unknown[] {
  return [
    rows.map((r) => r.sourceId), rows.map((r) => r.name), rows.map((r) => r.typeName), rows.map((r) => r.typeCode),
    rows.map((r) => r.issuerName), rows.map((r) => r.issuerCode), rows.map((r) => r.areaCode), rows.map((r) => r.holderName),
    rows.map((r) => r.holderCode), rows.map((r) => r.holderType), rows.map((r) => r.number), rows.map((r) => r.issueDate),
  ];
}

/** CST wall-clock time, as Cd_time is written. */
export const CST_NOW = `(now() at time zone 'UTC' + interval '8 hours')`;

export class FrontDbRepo {
  constructor(private readonly db: Db) {}

  /**
   * Deletes the lic_data rows up to `upTo` (taken by the next step: aggregated at the hub, moved to
   * the hub from a province) written more than `days` days ago. Returns how many went.
   */
  async purgeTaken(upTo: number, days: number): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `with d as (delete from front.lic_data where "ID" <= $1 and "Cd_time" < ${CST_NOW} - make_interval(days => $2) returning 1)
       select count(*)::bigint as n from d`, [upTo, days]);
    return Number(rows[0]!.n);
  }

  /** This front DB's identity in exchanges and the Cd_batch new rows get now. */
  async state(q: Queryable = this.db): Promise<{ frontId: string; batch: string }> {
    const r = (await q.query<{ front_id: string; cd_batch: string }>('select front_id, cd_batch from front.state'))[0];
    if (!r) throw new Error('front.state is empty: is migration 009 applied?');
    return { frontId: r.front_id, batch: r.cd_batch };
  }

  /**
   * A node's own report: rows stamped with the current Cd_batch and the time of the transaction.
   * The batch is read inside the insert, after its lock on lic_data: a row can never carry a batch
   * an exchange has already closed.
   */
  async append(q: Queryable, rows: readonly NewCatalogRow[]): Promise<void> {
    if (rows.length === 0) return;
    await q.query(
      `insert into front.lic_data (${DATA_COLUMNS}, "Cd_operation", "Cd_time", "Cd_batch", "DataSource")
       select u.a, u.b, u.c, u.d, u.e, u.f, u.g, u.h, u.i, u.j, u.k, u.l, u.op, ${CST_NOW}, s.cd_batch, u.ds
       from unnest(${UNNEST_DATA}, $13::text[], $14::text[]) as u(a, b, c, d, e, f, g, h, i, j, k, l, op, ds)
       cross join front.state s`,
      [...dataArrays(rows), rows.map((r) => r.operation), rows.map((r) => r.dataSource)],
    );
  }

  /** Rows exactly as given (an exchange moving them, a test, a benchmark), in order. */
  async insertRows(q: Queryable, rows: readonly CatalogRow[]): Promise<void> {
    if (rows.length === 0) return;
    await q.query(
      `insert into front.lic_data (${DATA_COLUMNS}, "Cd_operation", "Cd_time", "Cd_batch", "DataSource")
       select * from unnest(${UNNEST_DATA}, $13::text[], $14::timestamp[], $15::text[], $16::text[])`,
      [...dataArrays(rows), rows.map((r) => r.operation), rows.map((r) => r.time), rows.map((r) => r.batch), rows.map((r) => r.dataSource)],
    );
  }

  async insertErrors(q: Queryable, rows: readonly (CatalogRow & { remark: string })[]): Promise<void> {
    if (rows.length === 0) return;
    await q.query(
      `insert into front.lic_data_error (${DATA_COLUMNS}, cd_operation, cd_time, "ErrorRemark", cd_batch, "DataSource")
       select * from unnest(${UNNEST_DATA}, $13::text[], $14::timestamp[], $15::text[], $16::text[], $17::text[])`,
      [...dataArrays(rows), rows.map((r) => r.operation), rows.map((r) => r.time), rows.map((r) => r.remark), rows.map((r) => r.batch),
        rows.map((r) => r.dataSource)],
    );
  }

  /** Every row of lic_data after `after` up to `upto`, in ID order, at most `limit`. */
  async rows(q: Queryable, after: number, upto: number, limit: number): Promise<StoredRow[]> {
    return q.query<StoredRow>(
      `select ${SELECT_DATA}, "Cd_operation" as operation, "Cd_time"::text as time, "Cd_batch" as batch, "DataSource" as "dataSource"
       from front.lic_data where "ID" > $1 and "ID" <= $2 order by "ID" limit $3`,
      [after, upto, limit], 'front-lic-data-rows',
    );
  }

  /**
   * The same rows as `rows`, as COPY text for `storedRowsFromCopy`: the aggregator moves these bytes
   * to the threads that check them, where objects made here would be copied field by field.
   */
  async rowsText(q: Queryable, after: number, upto: number, limit: number): Promise<Buffer> {
    // COPY takes no parameters; these are integers, checked as such.
    if (![after, upto, limit].every(Number.isSafeInteger)) throw new Error('rowsText: integer bounds expected');
    return q.copyTo(`copy (select "ID", ${DATA_COLUMNS}, "Cd_operation", "Cd_time"::text, "Cd_batch", "DataSource"
      from front.lic_data where "ID" > ${after} and "ID" <= ${upto} order by "ID" limit ${limit}) to stdout`);
  }

  /**
   * Rows the aggregator refused, into lic_data_error as they stand in lic_data, each with its
   * remark, in the order given.
   */
  async rejectRows(q: Queryable, refused: readonly { id: number; remark: string }[]): Promise<void> {
    if (refused.length === 0) return;
    await q.query(
      `insert into front.lic_data_error (${DATA_COLUMNS}, cd_operation, cd_time, "ErrorRemark", cd_batch, "DataSource")
       select ${DATA_COLUMNS.replace(/"(\w+)"/g, 'd."$1"')}, d."Cd_operation", d."Cd_time", r.remark, d."Cd_batch", d."DataSource"
       from unnest($1::bigint[], $2::text[]) with ordinality as r(id, remark, n) join front.lic_data d on d."ID" = r.id
       order by r.n`,
      [refused.map((r) => r.id), refused.map((r) => r.remark)],
    );
  }

  /** Error rows after `after` up to `upto` whose batch came from the given front DB (all when undefined). */
  async errors(q: Queryable, after: number, upto: number, limit: number, fromFront?: string): Promise<StoredError[]> {
    return q.query<StoredError>(
      `select ${SELECT_DATA}, cd_operation as operation, cd_time::text as time, cd_batch as batch, "DataSource" as "dataSource", "ErrorRemark" as remark
       from front.lic_data_error e
       where "ID" > $1 and "ID" <= $2
         and ($4::text is null or exists (select 1 from front.batch_ledger b where b.cd_batch = e.cd_batch and b.front_id = $4))
       order by "ID" limit $3`,
      [after, upto, limit, fromFront ?? null],
    );
  }

  /**
   * The horizon of a table (see the class comment); for lic_data it also closes the current
   * Cd_batch when `rotate` says so, in the same moment, so the batch's rows are exactly those up
   * to the horizon.
   */
  async horizon(table: FrontTable, rotate?: (current: string, maxId: number) => string | undefined): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.query(`lock table front.${table} in share row exclusive mode`);
      const max = Number((await tx.query<{ m: number | string }>(`select coalesce(max("ID"), 0) as m from front.${table}`))[0]!.m);
      if (rotate) {
        const { batch } = await this.state(tx);
        const next = rotate(batch, max);
        if (next) await tx.query('update front.state set cd_batch = $1', [next]);
      }
      return max;
    });
  }

  // ---- exchange bookkeeping ----

  /** How far rows of `frontId` have been moved into this front DB (lic_data) — or, for errors, back into it. */
  async cursor(q: Queryable, kind: 'exchange_in' | 'errors_in', frontId: string, lock = false): Promise<number> {
    const r = await q.query<{ moved_upto: number }>(`select moved_upto from front.${kind} where front_id = $1${lock ? ' for update' : ''}`, [frontId]);
    return r[0] ? Number(r[0].moved_upto) : 0;
  }

  async advanceCursor(q: Queryable, kind: 'exchange_in' | 'errors_in', frontId: string, upto: number, rows: number): Promise<void> {
    await q.query(
      `insert into front.${kind} (front_id, moved_upto, rows) values ($1, $2, $3)
       on conflict (front_id) do update set moved_upto = excluded.moved_upto, rows = front.${kind}.rows + excluded.rows, updated_at = now()`,
      [frontId, upto, rows],
    );
  }

  /** Rows received per batch (by an exchange, from `frontId`), applied and rejected (by the aggregator). */
  async ledger(q: Queryable, counts: ReadonlyMap<string, { received?: number; applied?: number; rejected?: number }>, frontId?: string): Promise<void> {
    if (counts.size === 0) return;
    const batches = [...counts.keys()];
    const get = (k: 'received' | 'applied' | 'rejected') => batches.map((b) => counts.get(b)![k] ?? 0);
    await q.query(
      `insert into front.batch_ledger (cd_batch, front_id, received, applied, rejected)
       select u.b, $5::text, u.r, u.a, u.j from unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) as u(b, r, a, j)
       on conflict (cd_batch) do update set received = front.batch_ledger.received + excluded.received,
         applied = front.batch_ledger.applied + excluded.applied, rejected = front.batch_ledger.rejected + excluded.rejected,
         front_id = coalesce(front.batch_ledger.front_id, excluded.front_id), last_at = now()`,
      [batches, get('received'), get('applied'), get('rejected'), frontId ?? null],
    );
  }

  async batches(limit: number, batch?: string): Promise<BatchLedgerRow[]> {
    return this.db.query<BatchLedgerRow>(
      `select cd_batch as batch, front_id as "frontId", received, applied, rejected, first_at::text as "firstAt", last_at::text as "lastAt"
       from front.batch_ledger where ($2::text is null or cd_batch = $2) order by first_at desc, cd_batch limit $1`,
      [limit, batch ?? null],
    );
  }

  // ---- the aggregator's position ----

  /** Locks the position for one chunk: a second aggregator waits, then sees the advanced position. */
  async lockPosition(q: Queryable): Promise<number> {
    return Number((await q.query<{ position: number }>('select position from front.aggregation_state for update'))[0]!.position);
  }

  async position(): Promise<{ position: number; applied: number; rejected: number; updatedAt: string }> {
    const r = (await this.db.query<{ position: number; applied: number; rejected: number; updated_at: string }>(
      'select position, applied, rejected, updated_at::text from front.aggregation_state'))[0]!;
    return { position: Number(r.position), applied: Number(r.applied), rejected: Number(r.rejected), updatedAt: r.updated_at };
  }

  /**
   * What waits for the aggregator: lic_data rows after its position, and how old the oldest is in
   * seconds, by its Cd_time (China Standard Time, written when the province reported it); 0 when
   * none waits.
   */
  async backlog(): Promise<{ pending: number; oldestSeconds: number }> {
    const r = (await this.db.query<{ pending: number; oldest: number | null }>(
      `select count(*)::bigint as pending,
              extract(epoch from (now() at time zone 'UTC' + interval '8 hours') - min(d."Cd_time"))::float8 as oldest
         from front.lic_data d, front.aggregation_state s where d."ID" > s.position`))[0]!;
    return { pending: Number(r.pending), oldestSeconds: Math.max(0, Number(r.oldest ?? 0)) };
  }

  async advancePosition(q: Queryable, position: number, applied: number, rejected: number): Promise<void> {
    await q.query(
      'update front.aggregation_state set position = $1, applied = applied + $2, rejected = rejected + $3, updated_at = now()',
      [position, applied, rejected],
    );
  }

  // ---- the province's view of what the hub rejected ----

  /**
   * Marks resolved every error a later report of the same certificate answered (a change, an
   * abolition, a re-report, or a row written straight into lic_data): the hub judges that one anew.
   */
  async resolveAnswered(q: Queryable = this.db): Promise<number> {
    const rows = await q.query(
      `insert into front.error_resolution (error_id, by_cd_time)
       select e."ID", max(d."Cd_time") from front.lic_data_error e
       join front.lic_data d on d."CertificateSourceId" = e."CertificateSourceId" and d."Cd_time" > e.cd_time
       where not exists (select 1 from front.error_resolution r where r.error_id = e."ID")
       group by e."ID"
       on conflict do nothing returning error_id`,
    );
    return rows.length;
  }

  async listErrors(opts: { all?: boolean; limit?: number } = {}): Promise<ProvinceError[]> {
    return this.db.query<ProvinceError>(
      `select ${SELECT_DATA}, cd_operation as operation, cd_time::text as time, cd_batch as batch, "DataSource" as "dataSource", "ErrorRemark" as remark,
         r.resolved_at::text as "resolvedAt"
       from front.lic_data_error e left join front.error_resolution r on r.error_id = e."ID"
       where $1::boolean or r.error_id is null
       order by e."ID" limit $2`,
      [opts.all === true, opts.limit ?? 1000],
    );
  }
}

export interface BatchLedgerRow {
  batch: string;
  frontId: string | null;
  received: number;
  applied: number;
  rejected: number;
  firstAt: string;
  lastAt: string;
}

export interface ProvinceError extends StoredError { resolvedAt: string | null }

/** Rows as `rowsText` writes them. */
export function storedRowsFromCopy(text: Uint8Array): StoredRow[] {
  return parseCopyText(Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8')).map((f) => ({
    id: Number(f[0]), sourceId: f[1]!, name: f[2]!, typeName: f[3]!, typeCode: f[4]!, issuerName: f[5]!, issuerCode: f[6]!, areaCode: f[7]!,
    holderName: f[8]!, holderCode: f[9]!, holderType: f[10] ?? null, number: f[11]!, issueDate: f[12]!, operation: f[13]!, time: f[14]!,
    batch: f[15]!, dataSource: f[16]!,
  }));
}

/** The ID of the last row of `rowsText` (its first field), without reading the rest. */
export function lastIdOfRowsText(text: Uint8Array): number {
  const start = text.lastIndexOf(10, text.length - 2) + 1;
  const tab = text.indexOf(9, start);
  const id = Number(Buffer.from(text.buffer, text.byteOffset + start, tab - start).toString('latin1'));
  if (!Number.isSafeInteger(id)) throw new Error('rows text: the last line does not start with an ID');
  return id;
}
