import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin, to as copyToStdout } from 'pg-copy-streams';
import { leaseEmbedded } from './embedded/server.js';

/** Anything that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  /**
   * @param name for hot statements: the server keeps them prepared per connection, saving the parse and
   * plan of every call.
   */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], name?: string): Promise<T[]>;
  /**
   * `COPY … FROM STDIN` of text-format data: the bulk path, several times faster than INSERT for
   * many rows.
   */
  copyFrom(sql: string, text: string | Uint8Array): Promise<void>;
  /**
   * `COPY (…) TO STDOUT` in text format, the bytes as they come: for a reader that parses rows
   * elsewhere (another thread) rather than have the driver make an object of each.
   */
  copyTo(sql: string): Promise<Buffer>;
}

/**
 * Runs `fn` in one transaction: the caller's own when `q` is one already, else a new one. For
 * writes whose statements must commit together (a record and its log leaf) whoever calls them.
 */
export function atomically<T>(q: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return 'transaction' in q && typeof (q as Db).transaction === 'function' ? (q as Db).transaction(fn) : fn(q);
}

/** The one database interface the store uses: a PostgreSQL server through node-postgres (`pg`). */
export interface Db extends Queryable {
  /** Multi-statement SQL without parameters (migrations). */
  exec(sql: string): Promise<void>;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** The connection pool now: connections open, idle among them, callers waiting for one, and its size. */
  poolUse(): PoolUse;
  close(): Promise<void>;
}

export interface PoolUse { total: number; idle: number; waiting: number; max: number }

const DATE_OID = 1082;
const INT8_OID = 20;

/** Dates stay 'YYYY-MM-DD' strings: a JS Date would drag a time zone into a calendar date. */
const keepText = (v: string) => v;
const toNumber = (v: string) => Number(v);

export async function openPostgres(url: string, poolSize = 10): Promise<Db> {
  const types = {
    getTypeParser(oid: number, format?: string) {
      if (oid === DATE_OID) return keepText;
      if (oid === INT8_OID) return toNumber;
      return pg.types.getTypeParser(oid, format as 'text');
    },
  };
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: types as pg.CustomTypesConfig });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  await pool.query('select 1');
  const run = async <T>(client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[], name?: string) =>
    (await client.query({ text: sql, values: params as unknown[] | undefined, name })).rows as T[];
  const copy = (client: pg.PoolClient, sql: string, text: string | Uint8Array) => pipeline(Readable.from([text]), client.query(copyFromStdin(sql)));
  const copyOut = async (client: pg.PoolClient, sql: string) => {
    const chunks: Buffer[] = [];
    for await (const chunk of client.query(copyToStdout(sql))) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  return {
    query: <T>(sql: string, params?: readonly unknown[], name?: string) => run<T>(pool, sql, params, name),
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: poolSize }),
    async copyFrom(sql: string, text: string | Uint8Array) {
      const client = await pool.connect();
      try { await copy(client, sql, text); } finally { client.release(); }
    },
    async copyTo(sql: string) {
      const client = await pool.connect();
      try { return await copyOut(client, sql); } finally { client.release(); }
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({ query: (sql, params, name) => run(client, sql, params, name), copyFrom: (sql, text) => copy(client, sql, text), copyTo: (sql) => copyOut(client, sql) });
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

export interface DbOptions {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  /** What the embedded server's first start did (made a cluster, a system user): said once, to the operator. */
  notice?: (message: string) => void;
}

/**
 * `--database-url` / DATABASE_URL selects an external server, and nothing is started; otherwise the
 * embedded server of `<data>/pgdata`, started when no other process of this data directory runs it
 * and stopped when the last one closes.
 */
export async function openDb(opts: DbOptions): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize);
  const lease = await leaseEmbedded(opts.dataDir, opts.notice);
  let db: Db;
  try {
    db = await openPostgres(lease.url, opts.poolSize);
  } catch (err) {
    await lease.release();
    throw err;
  }
  return { ...db, async close() { try { await db.close(); } finally { await lease.release(); } } };
}

/** Normalises bytea values to Buffer (node-postgres gives Buffer; a Uint8Array from elsewhere is wrapped). */
export function asBuffer(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError('expected bytea');
}
