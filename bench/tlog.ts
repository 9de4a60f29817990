/**
 * What the transparency log costs (issue 19), on the PostgreSQL server of BENCH_DATABASE_URL:
 *
 *   node --import tsx bench/tlog.ts [--seconds 10] [--connections 32] [--rounds 2]
 *
 * 1. two demo nodes, the same build, each on a fresh database: one appends a leaf for every use,
 *    the other runs with ZHENGZHAO_LOG_LEAVES=off; national Retrieval is loaded on each in turn,
 *    `rounds` times, so a change in the machine's load touches both alike;
 * 2. inclusion proofs served per second (random index, latest size) by the node with the log;
 * 3. checkpoint signing cost (SM2 over the note) in this process;
 * 4. log growth on disk per million uses (log_leaves and log_nodes with their indexes).
 * Prints the figures and writes bench/tlog-results.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';
import { AccountService } from '../src/core/accounts.js';
import { cstCompactDate } from '../src/domain/dates.js';
import { generateSm2KeyPair, sm2Sign } from '../src/crypto/sm2.js';
import { signNote } from '../src/crypto/signed-note.js';
import { formatCheckpoint } from '../src/domain/checkpoint.js';
import { ROOT, freshDatabase, numberArg } from './support.js';

const SECONDS = numberArg('seconds', 10);
const CONNECTIONS = numberArg('connections', 32);
const ROUNDS = numberArg('rounds', 2);
const log = (m: string) => console.error(`[bench] ${m}`);
const CLI = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];

interface Node { child: ChildProcess; baseUrl: string; dataDir: string; databaseUrl: string }

async function start(name: string, env: NodeJS.ProcessEnv): Promise<Node> {
  const databaseUrl = await freshDatabase(name);
  const dataDir = mkdtempSync(join(tmpdir(), 'zz-bench-tlog-'));
  const child = spawn(process.execPath, [...CLI, 'serve', '--port', '0', '--json', '--demo'], {
    cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, ZHENGZHAO_DATA: dataDir, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => { if (line.startsWith('{')) resolve(JSON.parse(line).baseUrl); });
  });
  return { child, baseUrl, dataDir, databaseUrl };
}

async function load(url: string, o: { method: 'GET' | 'POST'; body?: () => string; path?: () => string }): Promise<{ rps: number; p99: number; non2xx: number }> {
  const r = await autocannon({
    url, connections: CONNECTIONS, duration: SECONDS, method: o.method,
    headers: o.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, ...(o.body ? { body: o.body() } : {}), ...(o.path ? { path: o.path() } : {}) }) }],
  } as autocannon.Options);
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx + r.errors + r.timeouts };
}

async function main() {
  const on = await start('zz_bench_tlog_on', {});
  const off = await start('zz_bench_tlog_off', { ZHENGZHAO_LOG_LEAVES: 'off' });
  const retrieval = (n: Node) => {
    const creds = JSON.parse(readFileSync(join(n.dataDir, 'demo-credentials.json'), 'utf8'));
    const token = AccountService.expectedToken({ id: creds.national.accountId, scheme: 'hmac-sm3', secret: creds.national.secret }, cstCompactDate(new Date()));
    let i = 0;
    return () => new URLSearchParams({ AccountId: creds.national.accountId, AccessToken: token, CertificateHolderCode: creds.holders[i++ % creds.holders.length].code, UseFor: '基准测试' }).toString();
  };
  const rates: Record<'on' | 'off', number[]> = { on: [], off: [] };
  for (const [label, n] of [['on', on], ['off', off]] as const) await load(`${n.baseUrl}/elssp/v1/Retrieval`, { method: 'POST', body: retrieval(n) }); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, n] of [['on', on], ['off', off]] as const) {
      const r = await load(`${n.baseUrl}/elssp/v1/Retrieval`, { method: 'POST', body: retrieval(n) });
      if (r.non2xx > 0) throw new Error(`${label}: ${r.non2xx} failed requests`);
      rates[label].push(r.rps);
      log(`round ${round + 1}, log ${label}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms`);
    }
  }
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const ratio = +(mean(rates.on) / mean(rates.off)).toFixed(3);

  const db = new pg.Client(on.databaseUrl);
  await db.connect();
  const { rows: [{ size }] } = await db.query<{ size: string }>('select size from log_state');
  const n = Number(size);
  const proofs = await load(`${on.baseUrl}/log/proof/inclusion`, { method: 'GET', path: () => `/log/proof/inclusion?index=${Math.floor(Math.random() * n)}&size=${n}` });
  if (proofs.non2xx > 0) throw new Error(`${proofs.non2xx} failed proof requests`);
  const { rows: [disk] } = await db.query<{ bytes: string }>(`select pg_total_relation_size('log_leaves') + pg_total_relation_size('log_nodes') as bytes`);
  const { rows: [uses] } = await db.query<{ n: string }>('select count(*) n from usage_records');
  await db.end();

  const key = generateSm2KeyPair();
  const text = formatCheckpoint({ origin: 'bench.example/log', size: n, root: Buffer.alloc(32, 7) });
  const t0 = process.hrtime.bigint();
  const SIGNS = 2000;
  for (let i = 0; i < SIGNS; i++) signNote(text, 'bench.example/log', key.publicKey, (d) => sm2Sign(d, key.privateKey));
  const signMicros = Number(process.hrtime.bigint() - t0) / 1000 / SIGNS;

  const results = {
    retrievalWithLog: Math.round(mean(rates.on)), retrievalWithoutLog: Math.round(mean(rates.off)), ratio,
    inclusionProofsPerSecond: Math.round(proofs.rps), inclusionProofP99Ms: proofs.p99, logSize: n,
    checkpointSignMicroseconds: Math.round(signMicros),
    diskBytesPerMillionUses: Math.round((Number(disk!.bytes) / Number(uses!.n)) * 1e6),
    connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS,
  };
  console.log(JSON.stringify(results, null, 2));
  writeFileSync(join(ROOT, 'bench', 'tlog-results.json'), JSON.stringify(results, null, 2) + '\n');
  for (const x of [on, off]) { x.child.kill('SIGTERM'); rmSync(x.dataDir, { recursive: true, force: true }); }
}

main().catch((err) => { console.error(err); process.exit(1); });
