import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync, accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import { pgBinaries } from './binaries.js';
import { checkVersion, clusterPaths, isAlive, clusterState, initCluster, readSecrets, runningPostmaster, setPort, startCluster, stopCluster, type ClusterSecrets } from './cluster.js';
import { letAccountReach, serverAccount } from './system-user.js';

/**
 * The embedded default: a real PostgreSQL server per data directory that nodes and commands
 * share. Each process using it leases it: the first starts it, the last one to let go stops it.
 * Leases are files named by pid under `DATA/run/postgres-users`; a killed process's file is found
 * dead and dropped by the next one, and the server it left running is simply used again.
 */
export interface EmbeddedLease {
  url: string;
  /** Lets go of the server; stops it when no other live process holds it. */
  release(): Promise<void>;
}

/**
 * Refuses a data directory built from a missing value (a `${undefined}/pgdata` once filled a
 * checkout with a cluster) and one this process cannot write, each in one sentence; makes it (0700)
 * when missing.
 */
export function checkDataDir(dataDir: unknown): asserts dataDir is string {
  checkDataPath(dataDir);
  prepareDirectory(dataDir);
}

function checkDataPath(dataDir: unknown): asserts dataDir is string {
  if (typeof dataDir !== 'string' || dataDir.trim() === '') throw new Error('no data directory given (--data or ZHENGZHAO_DATA)');
  if (dataDir.split(/[\\/]/).some((part) => part === 'undefined' || part === 'null' || part === 'NaN')) {
    throw new Error(`data directory ${dataDir} names a missing value ("undefined", "null" or "NaN"); give a real path with --data or ZHENGZHAO_DATA`);
  }
}

function prepareDirectory(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (!statSync(dataDir).isDirectory()) throw new Error('not a directory');
    accessSync(dataDir, constants.W_OK);
    mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
    mkdirSync(join(dataDir, 'run', 'postgres-users'), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new Error(`the data directory ${dataDir} is not a directory this user can write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); choose another with --data or fix its permissions`);
  }
}

/** Live pids holding a lease; files of dead ones are removed. */
function liveUsers(dir: string): number[] {
  const live: number[] = [];
  for (const name of readdirSync(dir)) {
    const pid = Number(name);
    if (Number.isInteger(pid) && isAlive(pid)) live.push(pid);
    else rmSync(join(dir, name), { force: true });
  }
  return live;
}

async function withLock<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  const release = await lockfile.lock(join(dataDir, 'run'), {
    lockfilePath: join(dataDir, 'run', 'postgres.lock'),
    // initdb on a loaded machine takes seconds; the lock is refreshed while held, and found stale only after a holder died.
    stale: 15_000, update: 5_000, retries: { retries: 120, minTimeout: 100, maxTimeout: 1000 },
  });
  try { return await fn(); } finally { await release().catch(() => {}); }
}

const urlOf = (s: ClusterSecrets, database: string) =>
  `postgres://${encodeURIComponent(s.user)}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/${database}`;

/** Waits until the server takes connections (a server in crash recovery refuses them for a while), then makes the node's database once. */
async function ensureDatabase(s: ClusterSecrets): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const c = new pg.Client({ connectionString: urlOf(s, 'postgres'), connectionTimeoutMillis: 5000 });
    try {
      await c.connect();
      const exists = await c.query('select 1 from pg_database where datname = $1', [s.database]);
      if (exists.rowCount === 0) await c.query(`create database "${s.database}"`);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      // 57P03: the database system is starting up (recovering).
      if (Date.now() > deadline || (code !== '57P03' && code !== 'ECONNREFUSED')) throw new Error(`the embedded PostgreSQL does not take connections: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await c.end().catch(() => {});
    }
  }
}

export async function leaseEmbedded(dataDir: string, notice: (m: string) => void = (m) => console.error(m)): Promise<EmbeddedLease> {
  if (!isAbsolute(String(dataDir))) throw new Error(`data directory ${dataDir}: an absolute path expected`);
  checkDataDir(dataDir);
  const p = clusterPaths(dataDir);
  const bin = await pgBinaries();
  const account = serverAccount(notice);
  const users = join(dataDir, 'run', 'postgres-users');
  const me = join(users, String(process.pid));

  const secrets = await withLock(dataDir, async () => {
    const state = clusterState(p);
    if (state === 'pglite') {
      throw new Error(`${p.pgdata} holds a PGlite database from zhengzhao 0.1, whose embedded database was PGlite; this version runs a real PostgreSQL server and does not read it. Start afresh: move ${dataDir} aside (demo data is made again), or give a PostgreSQL server with DATABASE_URL`);
    }
    if (state === 'foreign') {
      throw new Error(`${p.pgdata} is not a cluster this node made (no ${p.secretsFile} beside it, or no PG_VERSION in it); move it aside, or point DATABASE_URL at the server that owns it`);
    }
    const reach = [...letAccountReach(account, p.pgdata), ...letAccountReach(account, bin.postgres)];
    if (reach.length) notice(`let ${account.name} pass through ${[...new Set(reach)].join(', ')} (search permission for others) so it can reach the cluster and PostgreSQL's programs`);
    let s: ClusterSecrets;
    if (state === 'absent') {
      const t0 = Date.now();
      s = await initCluster(bin, account, p);
      notice(`made the embedded PostgreSQL cluster in ${p.pgdata} (${Date.now() - t0} ms; listening on 127.0.0.1:${s.port} only, as ${account.name}; password in ${p.secretsFile})`);
    } else {
      checkVersion(p);
      s = readSecrets(p);
    }
    const wanted = Number(process.env.ZHENGZHAO_EMBEDDED_PG_PORT || 0);
    if (wanted && wanted !== s.port) {
      if (runningPostmaster(p) !== undefined) throw new Error(`ZHENGZHAO_EMBEDDED_PG_PORT=${wanted}: the embedded server of ${dataDir} runs on ${s.port}; stop every node and command using it first`);
      s = setPort(p, s, wanted);
    }
    writeFileSync(me, `${process.pid}\n`);
    if (runningPostmaster(p) === undefined) await startCluster(bin, account, p, s);
    await ensureDatabase(s);
    return s;
  });

  let released = false;
  return {
    url: urlOf(secrets, secrets.database),
    async release() {
      if (released) return;
      released = true;
      await withLock(dataDir, async () => {
        rmSync(me, { force: true });
        if (liveUsers(users).length === 0) stopCluster(bin, account, p);
      });
    },
  };
}

/** Stops the embedded server of a data directory whatever holds it (`zhengzhao db stop`). */
export async function stopEmbedded(dataDir: string): Promise<boolean> {
  checkDataPath(dataDir);
  const p = clusterPaths(dataDir);
  if (!existsSync(p.pgdata) || runningPostmaster(p) === undefined) return false;
  const bin = await pgBinaries();
  const account = serverAccount(() => {});
  await withLock(dataDir, async () => stopCluster(bin, account, p));
  return true;
}


export interface EmbeddedStatus { pgdata: string; state: string; port?: number; postmaster?: number; users: number[] }

/** What `zhengzhao db status` shows: the cluster, where it listens, its postmaster and the processes leasing it. */
export function embeddedStatus(dataDir: string): EmbeddedStatus {
  checkDataPath(dataDir);
  const p = clusterPaths(dataDir);
  const state = clusterState(p);
  const users = join(dataDir, 'run', 'postgres-users');
  return {
    pgdata: p.pgdata, state,
    port: state === 'ours' ? readSecrets(p).port : undefined,
    postmaster: state === 'ours' ? runningPostmaster(p) : undefined,
    users: existsSync(users) ? liveUsers(users) : [],
  };
}
