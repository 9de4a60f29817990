/**
 * The embedded default beside an external PostgreSQL server, in one run.
 *
 *   npm run bench:embedded -- [--seconds 15] [--connections 32] [--rounds 2]
 *
 * 1. A fresh `zhengzhao serve --demo` on an empty data directory (the embedded server, as `npm start`
 *    runs it): the time to the first answered request and to the credentials file, with the time of
 *    each line the node prints on the way (cluster made, demo data, seals), so the start's cost is seen.
 * 2. The same demo seeded into a fresh database of the external server (BENCH_DATABASE_URL, default the
 *    machine's) by a second node.
 * 3. The national Retrieval (form bodies, the demo's holders) on each node with autocannon, the two
 *    taking turns for `rounds` rounds so the machine's load touches both alike; the ratio embedded /
 *    external, p50, and the peak resident memory of each node and of each database server (PSS of the
 *    postmaster and its backends, sampled during the load).
 *
 * Writes bench/embedded-results.json and bench/embedded-results.svg.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { AccountService } from '../src/core/accounts.js';
import { cstCompactDate } from '../src/domain/dates.js';
import { ROOT, numberArg, freshDatabase } from './support.js';
import { renderChart } from './chart.js';

const SECONDS = numberArg('seconds', 15);
const CONNECTIONS = numberArg('connections', 32);
const ROUNDS = numberArg('rounds', 2);
const log = (m: string) => console.error(`[bench] ${m}`);
const CLI = [join(ROOT, 'dist', 'cli', 'main.js')];

interface Node { child: ChildProcess; baseUrl: string; dataDir: string; lines: { ms: number; line: string }[]; readyMs: number }

/** Starts a demo node and notes when each stderr line came and when it first answered over HTTP. */
async function startDemo(dataDir: string, env: NodeJS.ProcessEnv): Promise<Node & { firstAnswerMs: number; credentialsMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...CLI, 'serve', '--demo', '--port', '0', '--json', '--data', dataDir], {
    cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Node['lines'] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => lines.push({ ms: Math.round(performance.now() - t0), line }));
  // The first answered request: the node listens before it seeds, so poll its published keys.
  let firstAnswerMs = 0;
  const poll = (async () => {
    for (;;) {
      const port = await findPort(child.pid!);
      if (port) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/.well-known/zhengzhao/keys`);
          if (res.ok) { firstAnswerMs = Math.round(performance.now() - t0); return; }
        } catch { /* not yet */ }
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const info = await new Promise<{ baseUrl: string }>((resolve, reject) => {
    child.on('exit', (c) => reject(new Error(`node exited ${c}: ${lines.map((l) => l.line).join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => { if (line.startsWith('{')) resolve(JSON.parse(line)); });
  });
  const credentialsMs = Math.round(performance.now() - t0);
  if (!existsSync(join(dataDir, 'demo-credentials.json'))) throw new Error('no credentials file');
  await poll;
  return { child, baseUrl: info.baseUrl, dataDir, lines, readyMs: credentialsMs, firstAnswerMs, credentialsMs };
}

/** The TCP port a process listens on, from /proc (the node picks a free one). */
async function findPort(pid: number): Promise<number | undefined> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try { const m = /socket:\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`)); if (m) inodes.add(m[1]!); } catch { /* closed */ }
    }
  } catch { return undefined; }
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = row.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9]!)) return parseInt(f[1]!.split(':')[1]!, 16);
    }
  }
  return undefined;
}

const status = (pid: number, key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
/** Proportional set size of a PostgreSQL server: the postmaster and every process it started (shared buffers counted once). */
function serverPssMiB(postmaster: number): number {
  let kib = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (Number(name) !== postmaster && ppid !== postmaster) continue;
      kib += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${name}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch { /* gone */ }
  }
  return kib / 1024;
}

async function load(url: string, bodies: () => string, sample: () => void) {
  const timer = setInterval(sample, 250);
  try {
    const r = await autocannon({
      url, connections: CONNECTIONS, duration: SECONDS, method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodies() }) }],
    } as autocannon.Options);
    return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
  } finally { clearInterval(timer); }
}

async function main() {
  const dirs = [mkdtempSync(join(tmpdir(), 'zz-bench-embedded-')), mkdtempSync(join(tmpdir(), 'zz-bench-external-'))];
  for (const d of dirs) chmodSync(d, 0o711);
  log('fresh npm start (embedded server, empty data directory)');
  const embedded = await startDemo(join(dirs[0]!, 'data'), {});
  log(`  first answer ${embedded.firstAnswerMs} ms, credentials ${embedded.credentialsMs} ms`);
  for (const l of embedded.lines) log(`  ${String(l.ms).padStart(6)} ms  ${l.line}`);
  const external = await startDemo(join(dirs[1]!, 'data'), { DATABASE_URL: await freshDatabase('zz_bench_embedded') });
  log(`external server node seeded in ${external.credentialsMs} ms`);

  const pgPid = (n: Node) => {
    if (n === embedded) return Number(readFileSync(join(n.dataDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const dir = readdirSync('/var/run/postgresql').find((f) => f.endsWith('.pid'));
    return Number(readFileSync(`/var/run/postgresql/${dir}`, 'utf8').split('\n')[0]);
  };
  const peaks = new Map<Node, { node: number; db: number }>([[embedded, { node: 0, db: 0 }], [external, { node: 0, db: 0 }]]);
  const rates = new Map<Node, { rps: number[]; p50: number[]; p99: number[]; errors: number }>([[embedded, { rps: [], p50: [], p99: [], errors: 0 }], [external, { rps: [], p50: [], p99: [], errors: 0 }]]);
  for (let round = 0; round <= ROUNDS; round++) {
    for (const n of [embedded, external]) {
      const creds = JSON.parse(readFileSync(join(n.dataDir, 'demo-credentials.json'), 'utf8'));
      const token = AccountService.expectedToken({ id: creds.national.accountId, scheme: 'hmac-sm3', secret: creds.national.secret }, cstCompactDate(new Date()));
      let i = 0;
      const body = () => new URLSearchParams({ AccountId: creds.national.accountId, AccessToken: token, CertificateHolderCode: creds.holders[i++ % creds.holders.length].code, UseFor: '基准测试' }).toString();
      const name = n === embedded ? 'embedded' : 'external';
      log(`${round === 0 ? 'warm-up' : `round ${round}`}: ${name} Retrieval, ${SECONDS} s, ${CONNECTIONS} connections`);
      const pk = peaks.get(n)!;
      const r = await load(`${n.baseUrl}/elssp/v1/Retrieval`, body, () => {
        pk.node = Math.max(pk.node, status(n.child.pid!, 'VmRSS'));
        pk.db = Math.max(pk.db, serverPssMiB(pgPid(n)));
      });
      log(`  ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}`);
      if (round > 0) { const x = rates.get(n)!; x.rps.push(r.rps); x.p50.push(r.p50); x.p99.push(r.p99); x.errors += r.errors; }
    }
  }
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const e = rates.get(embedded)!;
  const x = rates.get(external)!;
  const summary = {
    date: new Date().toISOString(), seconds: SECONDS, connections: CONNECTIONS, rounds: ROUNDS,
    start: { firstAnswerMs: embedded.firstAnswerMs, credentialsMs: embedded.credentialsMs, lines: embedded.lines },
    retrieval: {
      embedded: { rps: Math.round(mean(e.rps)), p50: mean(e.p50), p99: mean(e.p99), errors: e.errors, nodePeakMiB: Math.round(peaks.get(embedded)!.node), dbPeakMiB: Math.round(peaks.get(embedded)!.db) },
      external: { rps: Math.round(mean(x.rps)), p50: mean(x.p50), p99: mean(x.p99), errors: x.errors, nodePeakMiB: Math.round(peaks.get(external)!.node), dbPeakMiB: Math.round(peaks.get(external)!.db) },
      ratio: +(mean(e.rps) / mean(x.rps)).toFixed(2),
    },
  };
  writeFileSync(join(ROOT, 'bench', 'embedded-results.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(ROOT, 'bench', 'embedded-results.svg'), renderChart(
    [{ endpoint: 'national Retrieval', rps: summary.retrieval.embedded.rps, baselineRps: summary.retrieval.external.rps, p99: summary.retrieval.embedded.p99, ratio: summary.retrieval.ratio }],
    { title: 'Embedded PostgreSQL (red) vs external server (grey), same node, same run', unit: 'req/s', baseline: 'external server' }));
  console.log(JSON.stringify(summary.retrieval, null, 2));
  console.log(`fresh start: first answer ${summary.start.firstAnswerMs} ms, credentials ${summary.start.credentialsMs} ms`);
  for (const n of [embedded, external]) {
    await new Promise((r) => { n.child.once('exit', r); n.child.kill('SIGTERM'); });
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

main().catch((err) => { console.error(err); process.exit(1); });
