import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BUNDLED_MAJOR, type PgBinaries } from './binaries.js';
import type { ServerAccount } from './system-user.js';

/** Where one data directory keeps its embedded server: the cluster, its connection secrets, its log. */
export interface ClusterPaths {
  dataDir: string;
  /** The cluster itself (`DATA/pgdata`). */
  pgdata: string;
  /** Port, user and password (`DATA/secrets/postgres.json`, mode 0600): also marks the cluster as this node's. */
  secretsFile: string;
  /** A first start builds the cluster here and renames it into place, so `pgdata` is never half made. */
  initDir: string;
  log: string;
}

export interface ClusterSecrets { user: string; password: string; port: number; database: string }

export const clusterPaths = (dataDir: string): ClusterPaths => ({
  dataDir,
  pgdata: join(dataDir, 'pgdata'),
  secretsFile: join(dataDir, 'secrets', 'postgres.json'),
  initDir: join(dataDir, 'pgdata.initialising'),
  log: join(dataDir, 'pgdata', 'log', 'server.log'),
});

export type ClusterState = 'absent' | 'ours' | 'pglite' | 'foreign';

/** What `DATA/pgdata` holds. An empty directory counts as absent. */
export function clusterState(p: ClusterPaths): ClusterState {
  if (!existsSync(p.pgdata) || readdirSync(p.pgdata).length === 0) return 'absent';
  // Every initdb makes pg_tblspc; PGlite's WASM cluster (this project's embedded database before) has none.
  if (existsSync(join(p.pgdata, 'PG_VERSION')) && !existsSync(join(p.pgdata, 'pg_tblspc'))) return 'pglite';
  return existsSync(p.secretsFile) && existsSync(join(p.pgdata, 'PG_VERSION')) ? 'ours' : 'foreign';
}

/** Refuses a cluster of another PostgreSQL major version, in one sentence saying what to do. */
export function checkVersion(p: ClusterPaths): void {
  const major = Number(readFileSync(join(p.pgdata, 'PG_VERSION'), 'utf8').trim());
  if (major === BUNDLED_MAJOR) return;
  throw new Error(major > BUNDLED_MAJOR
    ? `${p.pgdata} was made by PostgreSQL ${major}, newer than the PostgreSQL ${BUNDLED_MAJOR} this zhengzhao brings; run the zhengzhao version that made it, or point DATABASE_URL at a PostgreSQL ${major} server holding it`
    : `${p.pgdata} was made by PostgreSQL ${major}; this zhengzhao brings PostgreSQL ${BUNDLED_MAJOR}: upgrade the cluster with pg_upgrade (or pg_dump and restore) first`);
}

export function readSecrets(p: ClusterPaths): ClusterSecrets {
  return JSON.parse(readFileSync(p.secretsFile, 'utf8')) as ClusterSecrets;
}

/** A TCP port on loopback that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether something already listens on the port (on loopback). */
export function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(true));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
  });
}

const asAccount = (a: ServerAccount) => (a.uid === undefined ? {} : { uid: a.uid, gid: a.gid });
// English messages whatever the machine's locale: failures are read from the log.
const pgEnv = () => ({ ...process.env, LC_ALL: 'C', LANG: 'C', LC_MESSAGES: 'C' });

function chownTree(path: string, a: ServerAccount): void {
  if (a.uid === undefined) return;
  chownSync(path, a.uid, a.gid!);
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, e.name);
    if (e.isDirectory()) chownTree(child, a);
    else chownSync(child, a.uid, a.gid!);
  }
}

/**
 * Makes a new cluster: a generated password and a free port, kept in the secrets file (0600), then
 * initdb into a side directory that is renamed into place only when complete. A leftover side
 * directory (a first start that was interrupted) holds nothing yet and is made again.
 */
export async function initCluster(bin: PgBinaries, account: ServerAccount, p: ClusterPaths): Promise<ClusterSecrets> {
  rmSync(p.initDir, { recursive: true, force: true });
  mkdirSync(p.initDir, { mode: 0o700 });
  if (account.uid !== undefined) chownSync(p.initDir, account.uid, account.gid!);
  const secrets: ClusterSecrets = { user: 'zhengzhao', password: randomBytes(24).toString('base64url'), port: await freePort(), database: 'zhengzhao' };
  const pwFile = join(p.initDir, 'password');
  writeFileSync(pwFile, `${secrets.password}\n`, { mode: 0o600 });
  if (account.uid !== undefined) chownSync(pwFile, account.uid, account.gid!);
  const data = join(p.initDir, 'data');
  const r = spawnSync(bin.initdb, [
    '-D', data, '-U', secrets.user, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-instructions',
  ], { ...asAccount(account), env: pgEnv(), encoding: 'utf8' });
  rmSync(pwFile, { force: true });
  if (r.error || r.status !== 0) {
    throw new Error(`initdb could not make the embedded cluster in ${p.initDir}: ${(r.error?.message ?? r.stderr).trim().split('\n').pop()}`);
  }
  // Loopback only, no Unix socket (its path would be the data directory's, often longer than a socket path may be).
  appendFileSync(join(data, 'postgresql.conf'), [
    '', '# zhengzhao embedded server',
    "listen_addresses = '127.0.0.1'", `port = ${secrets.port}`, "unix_socket_directories = ''",
    "log_destination = 'stderr'", 'logging_collector = off', '',
  ].join('\n'));
  mkdirSync(join(data, 'log'), { mode: 0o700 });
  chownTree(data, account);
  mkdirSync(join(p.dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  writeFileSync(p.secretsFile, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  renameSync(data, p.pgdata);
  rmSync(p.initDir, { recursive: true, force: true });
  return secrets;
}

/** Moves the cluster to another port (ZHENGZHAO_EMBEDDED_PG_PORT): the server reads it at its next start. */
export function setPort(p: ClusterPaths, secrets: ClusterSecrets, port: number): ClusterSecrets {
  appendFileSync(join(p.pgdata, 'postgresql.conf'), `port = ${port}\n`);
  const next = { ...secrets, port };
  writeFileSync(p.secretsFile, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
  return next;
}

/** Whether a process exists (EPERM: it does, under another user). */
export const isAlive = (pid: number) => {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
};

/**
 * Whether a live process is a PostgreSQL server: on Linux by its name, and not a zombie (a killed
 * postmaster whose parent never reaps it still answers kill(pid, 0)); elsewhere any live process counts.
 */
function isPostgres(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return stat.includes('(postgres)') && state !== 'Z' && state !== 'X';
  } catch { return !existsSync('/proc/self'); }
}

/**
 * The postmaster running this cluster, from its postmaster.pid. A file naming a dead process, or a
 * live one that is not PostgreSQL (the pid was reused after a crash or a reboot), is stale: it is
 * removed so the server can start.
 */
export function runningPostmaster(p: ClusterPaths): number | undefined {
  const file = join(p.pgdata, 'postmaster.pid');
  let pid: number;
  try { pid = Number(readFileSync(file, 'utf8').split('\n')[0]); } catch { return undefined; }
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isPostgres(pid)) return pid;
  rmSync(file, { force: true });
  return undefined;
}

/** The last lines of the server log that say why it stopped or did not start. */
function logReason(p: ClusterPaths): string {
  let text = '';
  try { text = readFileSync(p.log, 'utf8').slice(-8192); } catch { return 'no log written'; }
  const lines = text.split('\n').filter((l) => /FATAL|PANIC|ERROR/.test(l));
  return (lines.pop() ?? text.trim().split('\n').pop() ?? '').replace(/^.*?(FATAL|PANIC|ERROR):\s*/, '');
}

/**
 * Starts the server in the background with pg_ctl (in a session of its own, so a terminal's
 * Ctrl-C reaches the node, which then stops the server after its last request). A cluster left
 * by a killed server is recovered by PostgreSQL's own crash recovery during this start.
 */
export async function startCluster(bin: PgBinaries, account: ServerAccount, p: ClusterPaths, secrets: ClusterSecrets): Promise<void> {
  const taken = () => new Error(`port ${secrets.port}, where the embedded PostgreSQL of ${p.dataDir} listens, is taken by another program; stop that program, or set ZHENGZHAO_EMBEDDED_PG_PORT to move the cluster to a free port`);
  if (await portTaken(secrets.port)) throw taken();
  // Backends of a postmaster that was killed may hold its shared memory for a moment: try again briefly.
  for (let attempt = 0; ; attempt++) {
    const r = spawnSync(bin.pgCtl, ['start', '-D', p.pgdata, '-l', p.log, '-w', '-t', '120', '-s'], { ...asAccount(account), env: pgEnv(), encoding: 'utf8' });
    if (!r.error && r.status === 0) return;
    const reason = logReason(p);
    if (attempt < 10 && /shared memory block is still in use|lock file .* already exists/.test(reason)) {
      await new Promise((res) => setTimeout(res, 500));
      continue;
    }
    if (/Address already in use/.test(reason)) throw taken();
    if (/Permission denied|not writable|could not (open|create|write)/i.test(reason)) throw new Error(`the embedded PostgreSQL cannot use ${p.pgdata} (${reason}); make the data directory writable by ${account.name}`);
    throw new Error(`the embedded PostgreSQL of ${p.dataDir} did not start: ${reason || (r.error?.message ?? r.stderr.trim())} (log: ${p.log})`);
  }
}

/** Stops the server: fast shutdown (open sessions end, everything committed stays), waiting for it to finish. */
export function stopCluster(bin: PgBinaries, account: ServerAccount, p: ClusterPaths): void {
  if (runningPostmaster(p) === undefined) return;
  spawnSync(bin.pgCtl, ['stop', '-D', p.pgdata, '-m', 'fast', '-w', '-t', '60', '-s'], { ...asAccount(account), env: pgEnv(), encoding: 'utf8' });
}
