import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The suite runs against both back ends: PGlite (embedded) and a real PostgreSQL server, each test
 * file getting a fresh database. TEST_DATABASE_URL names the server (default: the local one); under
 * CI a missing server is a failure, elsewhere its tests are skipped with a note.
 */
export interface Backend {
  name: 'pglite' | 'postgres';
  /** undefined for PGlite: the data directory holds the database. */
  databaseUrl?: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let serverChecked: Promise<string | undefined> | undefined;
function serverProblem(): Promise<string | undefined> {
  serverChecked ??= (async () => {
    const c = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 15_000 });
    try {
      await c.connect();
      await c.query('select 1');
      return undefined;
    } catch (err) {
      return (err as Error).message;
    } finally {
      await c.end().catch(() => {});
    }
  })();
  return serverChecked;
}

/** Skip reason for the PostgreSQL variant, or undefined when it can run. Throws under CI. */
export async function postgresSkip(): Promise<string | false> {
  const problem = await serverProblem();
  if (!problem) return false;
  if (process.env.CI) throw new Error(`PostgreSQL is required under CI but ${SERVER} fails: ${problem}`);
  return `no PostgreSQL at ${SERVER}: ${problem}`;
}

export async function makeBackend(name: Backend['name']): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), `zz-${name}-`));
  if (name === 'pglite') {
    return { name, dataDir, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const db = `zz_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`create database ${db}`);
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${db}`;
  return {
    name, dataDir, databaseUrl: url.toString(),
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: SERVER });
      await c.connect();
      await c.query(`drop database if exists ${db} with (force)`);
      await c.end();
    },
  };
}

export const BACKENDS: Backend['name'][] = ['pglite', 'postgres'];
