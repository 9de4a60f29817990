/**
 * Benchmark of the national interface on PostgreSQL with a large imported dataset.
 *
 *   npm run bench -- [--count 1000000] [--seconds 15] [--connections 32]
 *
 * 1. generates NDJSON certificates (cached in bench/out) and imports them with `zhengzhao import`;
 * 2. starts a node (`zhengzhao serve`) and the baseline (bench/baseline-server.ts) as processes;
 * 3. loads Retrieval and GetCertificateDataByCertificateID on each with autocannon;
 * 4. reports req/s, p50/p99 latency, the ratio to the baseline and the servers' peak memory, writes
 *    bench/results.json and the chart bench/results.svg, and updates the figures in docs/benchmarks.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';
import { makeCitizenId, makeCreditCode } from '../src/domain/holder-code.js';
import { AccountService } from '../src/core/accounts.js';
import { cstCompactDate } from '../src/domain/dates.js';
import { ROOT, replaceBenchmarkSection, freshDatabase } from './support.js';
import { renderChart } from './chart.js';

const OUT = join(ROOT, 'bench', 'out');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const COUNT = arg('count', 1_000_000);
const SECONDS = arg('seconds', 15);
const CONNECTIONS = arg('connections', 32);
const log = (m: string) => console.error(`[bench] ${m}`);

const AREAS = ['110105', '310104', '330106', '510107', '370402', '320102'];
const holderOf = (i: number) => makeCitizenId(AREAS[i % AREAS.length]!, `${1950 + (i % 50)}${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`, Math.floor(i / 1800) % 1000);

/** Two certificates per holder: an ID card and a driving licence. Holder i is unique for i < 1.8M. */
async function generate(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  const issuer = makeCreditCode('1', '1', '110105', '000019713');
  for (let n = 0; n < count; n++) {
    const i = Math.floor(n / 2);
    const code = holderOf(i);
    const driving = n % 2 === 1;
    const line = JSON.stringify({
      certificateType: driving ? '机动车驾驶证' : '居民身份证', certificateTypeCode: driving ? '11100000000019713D001' : '11100000000019713D002',
      certificateName: driving ? '机动车驾驶证' : '居民身份证', certificateHolder: `持证人${i}`, certificateHolderCode: code, certificateHolderType: '111',
      issueDept: '北京市公安局朝阳分局', issueDeptCode: issuer, certificateAreaCode: '110105', certificateNumber: driving ? `D${code}` : code,
      issueDate: '2020-01-01', certificateValidateStart: '2020-01-01', certificateValidateEnd: '2040-01-01',
      surface: [{ name: '姓名', columnName: 'KZ_XM', valueType: 'string', value: `持证人${i}` }, { name: '住址', columnName: 'KZ_ZZ', valueType: 'string', value: `北京市朝阳区幸福路${i % 500}号` }],
    }) + '\n';
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
    if (n % 200_000 === 0) log(`generating ${n}/${count}`);
  }
  await new Promise<void>((r) => out.end(r));
}

function startProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('exit', (c) => reject(new Error(`${args.join(' ')} exited ${c}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) resolve({ child, baseUrl: JSON.parse(line).baseUrl });
    });
  });
}

/** Peak resident memory (VmHWM) of a process, in MiB. */
const peakMiB = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function load(url: string, bodies: () => string): Promise<{ rps: number; p50: number; p99: number; errors: number; non2xx: number }> {
  const r = await autocannon({
    url, connections: CONNECTIONS, duration: SECONDS, method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodies() }) }],
  } as autocannon.Options);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `certs-${COUNT}.ndjson`);
  if (!existsSync(file)) { log(`generating ${COUNT} records`); await generate(file, COUNT); }

  const dbName = 'zz_bench';
  const url = new URL(await freshDatabase(dbName));
  const databaseUrl = url.toString();
  const dataDir = mkdtempSync(join(tmpdir(), 'zz-bench-'));
  const env = { DATABASE_URL: databaseUrl, ZHENGZHAO_DATA: dataDir };
  // The sources through tsx: the same code as dist/ once loaded, without needing a build first.
  const cli = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];

  log(`importing ${COUNT} certificates into ${dbName}`);
  const t0 = Date.now();
  const imp = spawnSync(process.execPath, [...cli, 'import', file, '--json', '--no-files'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 26 });
  if (imp.status !== 0) throw new Error('import failed');
  const importSeconds = (Date.now() - t0) / 1000;
  const report = JSON.parse(imp.stdout);
  log(`imported ${report.inserted} in ${importSeconds.toFixed(0)} s (${Math.round(report.inserted / importSeconds)}/s)`);

  const acc = spawnSync(process.execPath, [...cli, 'accounts', 'add', '--id', 'bench', '--name', 'bench'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  const secret = JSON.parse(acc.stdout).secret as string;
  const token = AccountService.expectedToken({ id: 'bench', scheme: 'hmac-sm3', secret }, cstCompactDate(new Date()));

  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  await c.query('analyze');
  const ids = (await c.query<{ id: string }>('select id from certificates tablesample system (2) limit 20000')).rows.map((r) => r.id);
  await c.end();
  const holders = COUNT / 2;
  let n = 0;
  const retrieval = () => new URLSearchParams({ AccountId: 'bench', AccessToken: token, CertificateHolderCode: holderOf((n++ * 7919) % holders), UseFor: '基准测试' }).toString();
  const byId = () => new URLSearchParams({ AccountId: 'bench', AccessToken: token, CertificateID: ids[n++ % ids.length]!, UseFor: '基准测试' }).toString();

  const results: Record<string, unknown>[] = [];
  for (const [label, args] of [['zhengzhao', [...cli, 'serve', '--port', '0', '--json']], ['baseline', ['--import', 'tsx', join(ROOT, 'bench', 'baseline-server.ts')]]] as const) {
    const { child, baseUrl } = await startProcess([...args], env);
    const prefix = label === 'zhengzhao' ? `${baseUrl}/elssp/v1` : baseUrl;
    // Check that the endpoint answers real data before measuring it.
    const probe = (await (await fetch(`${prefix}/Retrieval`, { method: 'POST', body: new URLSearchParams(retrieval()) })).json()) as { head: { status: string } };
    if (probe.head.status !== '0') throw new Error(`${label} Retrieval answered ${JSON.stringify(probe)}`);
    for (const [endpoint, bodies] of [['Retrieval', retrieval], ['GetCertificateDataByCertificateID', byId]] as const) {
      log(`${label} ${endpoint}: ${SECONDS} s, ${CONNECTIONS} connections`);
      await load(`${prefix}/${endpoint}`, bodies); // warm-up is the first run's first seconds; measure a second run
      const r = await load(`${prefix}/${endpoint}`, bodies);
      results.push({ server: label, endpoint, ...r });
      log(`  ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}, non-2xx ${r.non2xx}`);
    }
    results.push({ server: label, endpoint: 'peak memory', peakMiB: peakMiB(child.pid!) });
    child.kill('SIGTERM');
  }

  const get = (server: string, endpoint: string) => results.find((r) => r.server === server && r.endpoint === endpoint) as { rps: number; p50: number; p99: number };
  const rows = ['Retrieval', 'GetCertificateDataByCertificateID'].map((e) => {
    const ours = get('zhengzhao', e);
    const base = get('baseline', e);
    return { endpoint: e, rps: Math.round(ours.rps), p50: ours.p50, p99: ours.p99, baselineRps: Math.round(base.rps), baselineP99: base.p99, ratio: +(ours.rps / base.rps).toFixed(2) };
  });
  const memory = { zhengzhao: Math.round((results.find((r) => r.server === 'zhengzhao' && r.endpoint === 'peak memory') as { peakMiB: number }).peakMiB),
    baseline: Math.round((results.find((r) => r.server === 'baseline' && r.endpoint === 'peak memory') as { peakMiB: number }).peakMiB) };
  const summary = { date: new Date().toISOString(), count: report.inserted, importSeconds: Math.round(importSeconds), importRate: Math.round(report.inserted / importSeconds), seconds: SECONDS, connections: CONNECTIONS, rows, memory };
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(ROOT, 'bench', 'results.svg'), renderChart(rows));
  updateBenchmarkPage(summary);
  console.table(rows);
  console.log(`peak memory: zhengzhao ${memory.zhengzhao} MiB, baseline ${memory.baseline} MiB; import ${summary.importRate} certificates/s`);
}

function updateBenchmarkPage(s: { date: string; count: number; importSeconds: number; importRate: number; seconds: number; connections: number; rows: { endpoint: string; rps: number; p50: number; p99: number; baselineRps: number; baselineP99: number; ratio: number }[]; memory: { zhengzhao: number; baseline: number } }) {
  const table = [
    `Measured ${s.date.slice(0, 10)} on the 2-core machine: PostgreSQL 15, ${s.count.toLocaleString('en')} imported certificates, ${s.connections} connections, ${s.seconds} s per run, every use committed before answering.`,
    '',
    '| endpoint | req/s | p50 ms | p99 ms | baseline req/s | baseline p99 ms | ratio |',
    '|---|---|---|---|---|---|---|',
    ...s.rows.map((r) => `| ${r.endpoint} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.baselineRps} | ${r.baselineP99} | ${r.ratio} |`),
    '',
    `Peak memory: node ${s.memory.zhengzhao} MiB, baseline ${s.memory.baseline} MiB. Import: ${s.count.toLocaleString('en')} certificates in ${s.importSeconds} s (${s.importRate}/s, each signed with SM2).`,
    '',
    '![benchmark](../bench/results.svg)',
  ].join('\n');
  replaceBenchmarkSection('bench', table);
}

main().catch((err) => { console.error(err); process.exit(1); });
