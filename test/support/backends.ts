import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { leaseEmbedded } from '../../src/store/embedded/server.js';

/**
 * Every database suite runs once, against PostgreSQL: the server TEST_DATABASE_URL names (CI's),
 * or else an embedded server shared by the whole run (scripts/run-tests.mjs starts it and sets
 * TEST_DATABASE_URL; a test file run on its own leases the same one). Each suite gets a database
 * of its own, dropped afterwards.
 *
 * - `postgres`: a fresh database on that server, and a data directory for keys and files.
 * - `embedded`: a data directory only: a node started on it runs its own embedded server in
 *   `DATA/pgdata`, as `npm start` does.
 */
export interface Backend {
  name: 'postgres' | 'embedded';
  /** undefined for `embedded`: the data directory holds the cluster. */
  databaseUrl?: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

/** Where a file run on its own keeps the shared test cluster (the runner uses the same place). */
export const SHARED_TEST_CLUSTER = join(tmpdir(), 'zhengzhao-test-postgres');

let server: Promise<string> | undefined;
function serverUrl(): Promise<string> {
  server ??= (async () => {
    if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
    const lease = await leaseEmbedded(SHARED_TEST_CLUSTER, () => {});
    const url = new URL(lease.url);
    url.pathname = '/postgres';
    return url.toString();
  })();
  return server;
}

/** Kept for the suites' shape: PostgreSQL is always there (given, or embedded), so nothing is skipped. */
export async function postgresSkip(): Promise<string | false> {
  await serverUrl();
  return false;
}

/** A data directory the embedded server's account can pass through when tests run as root (mkdtemp makes it 0700). */
function dataDirectory(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `zz-${name}-`));
  chmodSync(dir, 0o711);
  return dir;
}

export async function makeBackend(name: Backend['name'] = 'postgres'): Promise<Backend> {
  const dataDir = dataDirectory(name);
  if (name === 'embedded') {
    return {
      name, dataDir,
      async cleanup() {
        // A node that was killed leaves its server running: stop it before the directory goes.
        const { stopEmbedded } = await import('../../src/store/embedded/server.js');
        await stopEmbedded(dataDir).catch(() => {});
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const base = await serverUrl();
  const db = `zz_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${db}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${db}`;
  return {
    name, dataDir, databaseUrl: url.toString(),
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${db} with (force)`);
      await c.end();
    },
  };
}

export const BACKENDS: Backend['name'][] = ['postgres'];
