/**
 * Benchmark of a cross-region information request (ZWFW C 0124 5.2): GetCertificateDataByCertificateID
 * asked of province A for a certificate of province B, which A sends to the hub and the hub to B,
 * beside the same call answered by B itself (the local call) and by the hub (one hop), in one run.
 *
 *   npm run bench:federation -- [--count 2000] [--seconds 8] [--connections 16]
 *
 * 1. makes three PostgreSQL databases and starts a hub and provinces A and B (`zhengzhao serve`) as
 *    processes, with their accounts and the hub's registry; imports `count` certificates into B and
 *    the same entries, with DataSource 151, into the hub's catalog;
 * 2. latency: one request at a time, the three paths taking turns in short slices (so a busy moment
 *    of the shared machine hits them alike), p50/p99 of each and what each hop adds (hub → B beside
 *    B alone, A → hub → B beside hub → B); meanwhile each node's own metrics (GET /metrics) say where
 *    its time went: answering, waiting for the next hop, committing its usage records;
 * 3. throughput: autocannon with `connections` concurrent callers on each path, in two alternating
 *    rounds, and the two-hop rate as a share of the local one;
 * 4. writes bench/federation-results.json, the chart bench/federation-results.svg and the
 *    docs/benchmarks.md table, with the machine's load average at the start and the end (the goals: each hop ≤ 1 ms
 *    p50, two hops ≥ 0.35 of the local rate).
 * BENCH_PROFILE=hub (or A, B) writes that node's CPU profile to bench/out/profiles when it stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import cliProgress from 'cli-progress';
import { makeCitizenId, makeCreditCode } from '../src/domain/holder-code.js';
import { formatCertificateId } from '../src/domain/identifier.js';
import { AccountService } from '../src/core/accounts.js';
import { cstCompactDate } from '../src/domain/dates.js';
import { ROOT, numberArg, freshDatabase, replaceBenchmarkSection } from './support.js';
import { renderChart } from './chart.js';

const COUNT = numberArg('count', 2000);
const SECONDS = numberArg('seconds', 8);
const CONNECTIONS = numberArg('connections', 16);
const SLICE_MS = 250;
const log = (m: string) => console.error(`[bench] ${m}`);

interface Node { name: string; child: ChildProcess; baseUrl: string; dataDir: string }
interface Account { id: string; secret: string }


/** Every node started, stopped however the run ends. */
const children: ChildProcess[] = [];

function start(name: string, databaseUrl: string, env: NodeJS.ProcessEnv): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), `zz-bench-fed-${name}-`));
  const child = spawn(process.execPath, [...(process.env.BENCH_PROFILE === name ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', 'out', 'profiles')}`] : []), '--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'serve', '--port', '0', '--json'], {
    cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, ZHENGZHAO_DATA: dataDir, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.on('exit', (c) => reject(new Error(`${name} exited ${c}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) resolve({ name, child, baseUrl: JSON.parse(line).baseUrl, dataDir });
    });
  });
}

async function admin<T>(n: Node, method: string, path: string, body?: unknown): Promise<T> {
  const h = JSON.parse(readFileSync(join(n.dataDir, 'secrets', 'node.json'), 'utf8')) as { url: string; token: string };
  const res = await fetch(`${h.url}/admin${path}`, {
    method, headers: { authorization: `Bearer ${h.token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${n.name} admin ${path}: ${text}`);
  return JSON.parse(path === '/import' ? text.trim().split('\n').pop()! : text) as T;
}

async function importInto(n: Node, records: object[]): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'zz-bench-fed-')), 'records.ndjson');
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const r = await admin<{ report?: { inserted: number }; error?: string }>(n, 'POST', '/import', { path: file });
  if (r.report?.inserted !== records.length) throw new Error(`${n.name} import: ${JSON.stringify(r)}`);
}

/** The sums and counts of the node's histograms that say where a request's time went (seconds). */
interface Spent { answerSum: number; answerCount: number; hopSum: number; hopCount: number; commitSum: number; commitCount: number; records: number }

async function timeSpent(n: Node): Promise<Spent> {
  const h = JSON.parse(readFileSync(join(n.dataDir, 'secrets', 'node.json'), 'utf8')) as { url: string; token: string };
  const text = await (await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${h.token}` } })).text();
  const total = (name: string, filter = '') => text.split('\n').filter((l) => l.startsWith(name) && l.includes(filter))
    .reduce((x, l) => x + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  const answered = 'interface="GetCertificateDataByCertificateID"';
  return {
    answerSum: total('zhengzhao_http_request_duration_seconds_sum', answered), answerCount: total('zhengzhao_http_request_duration_seconds_count', answered),
    hopSum: total('zhengzhao_hop_duration_seconds_sum'), hopCount: total('zhengzhao_hop_duration_seconds_count'),
    commitSum: total('zhengzhao_usage_commit_duration_seconds_sum'), commitCount: total('zhengzhao_usage_commit_duration_seconds_count'),
    records: total('zhengzhao_usage_records_total'),
  };
}

/** Per request answered by the node between two readings: its own time, the time it waited for the next hop, and its usage commits (ms). */
function breakdown(name: string, a: Spent, b: Spent) {
  const answered = b.answerCount - a.answerCount;
  const per = (x: number) => round2(answered > 0 ? (x * 1000) / answered : 0);
  const answer = per(b.answerSum - a.answerSum);
  const hop = per(b.hopSum - a.hopSum);
  const commits = b.commitCount - a.commitCount;
  return {
    node: name, requests: answered, answerMs: answer, nextHopMs: hop, ownMs: round2(answer - hop),
    commitMs: round2(commits > 0 ? ((b.commitSum - a.commitSum) * 1000) / commits : 0), recordsPerRequest: round2(answered > 0 ? (b.records - a.records) / answered : 0),
  };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const round2 = (x: number) => Math.round(x * 100) / 100;

async function main() {
  const [hubDb, aDb, bDb] = await Promise.all([freshDatabase('zz_bench_fed_hub'), freshDatabase('zz_bench_fed_a'), freshDatabase('zz_bench_fed_b')]);
  log('starting the hub and provinces A (330000, 133) and B (510000, 151)');
  const hub = await start('hub', hubDb, { ZHENGZHAO_ROLE: 'hub' });
  const zj = await admin<Account>(hub, 'POST', '/accounts', { id: 'zj-province', name: '浙江省' });
  const sc = await admin<Account>(hub, 'POST', '/accounts', { id: 'sc-province', name: '四川省' });
  const province = (area: string, ds: string, acc: Account) => ({
    ZHENGZHAO_AREA_CODE: area, ZHENGZHAO_DATA_SOURCE: ds, ZHENGZHAO_HUB_URL: hub.baseUrl, ZHENGZHAO_HUB_ACCOUNT: acc.id, ZHENGZHAO_HUB_SECRET: acc.secret,
  });
  const [a, b] = await Promise.all([start('A', aDb, province('330000', '133', zj)), start('B', bDb, province('510000', '151', sc))]);
  const hubAtA = await admin<Account>(a, 'POST', '/accounts', { id: 'national-hub', name: '国家' });
  const hubAtB = await admin<Account>(b, 'POST', '/accounts', { id: 'national-hub', name: '国家' });
  const clerk = await admin<Account>(a, 'POST', '/accounts', { id: 'bench-clerk', name: 'bench' });
  await admin(hub, 'POST', '/nodes', { dataSource: '151', name: '四川省', areaCodes: ['510000'], baseUrl: b.baseUrl, accountId: 'national-hub', secret: hubAtB.secret, inboundAccount: 'sc-province' });
  await admin(hub, 'POST', '/nodes', { dataSource: '133', name: '浙江省', areaCodes: ['330000'], baseUrl: a.baseUrl, accountId: 'national-hub', secret: hubAtA.secret, inboundAccount: 'zj-province' });

  log(`importing ${COUNT} certificates into B and its catalog entries into the hub`);
  const issuer = makeCreditCode('1', '1', '510104', '006122244');
  const records = Array.from({ length: COUNT }, (_, i) => {
    const holder = makeCitizenId('510104', `${1950 + (i % 50)}0101`, i % 1000);
    return {
      certificateID: formatCertificateId({ typeCode: '11100000000019713D001', issuerCode: issuer, serial: `B${i}`, version: '001' }),
      certificateType: '机动车驾驶证', certificateTypeCode: '11100000000019713D001', certificateName: '机动车驾驶证',
      certificateHolder: `持证人${i}`, certificateHolderCode: holder, certificateHolderType: '111', issueDept: '成都市公安局交通管理局', issueDeptCode: issuer,
      certificateAreaCode: '510104', certificateNumber: `D${i}`, issueDate: '2020-01-01', certificateValidateStart: '2020-01-01', certificateValidateEnd: '2040-01-01',
      surface: [{ name: '姓名', columnName: 'KZ_XM', valueType: 'string', value: `持证人${i}` }, { name: '准驾车型', columnName: 'KZ_ZJCX', valueType: 'string', value: 'C1' }],
    };
  });
  await importInto(b, records);
  await importInto(hub, records.map((r) => ({ ...r, dataSource: '151' })));
  const ids = records.map((r) => r.certificateID);

  const day = cstCompactDate(new Date());
  const token = (acc: Account) => AccountService.expectedToken({ id: acc.id, scheme: 'hmac-sm3', secret: acc.secret }, day);
  // The same call on three paths: B answering its own (local), the hub sending it to B (one hop), A sending it to the hub (two hops).
  const paths = [
    { label: 'local: B answers its own', url: `${b.baseUrl}/elssp/v1/GetCertificateDataByCertificateID`, acc: hubAtB },
    { label: 'one hop: hub → B', url: `${hub.baseUrl}/elssp/v1/GetCertificateDataByCertificateID`, acc: sc },
    { label: 'two hops: A → hub → B', url: `${a.baseUrl}/elssp/v1/GetCertificateDataByCertificateID`, acc: clerk },
  ].map((p) => ({ ...p, token: token(p.acc) }));
  let n = 0;
  const bodyFor = (p: (typeof paths)[number]) => new URLSearchParams({ AccountId: p.acc.id, AccessToken: p.token, CertificateID: ids[(n++ * 7919) % ids.length]!, UseFor: '基准测试' }).toString();
  const ask = async (p: (typeof paths)[number]) => {
    const res = await fetch(p.url, { method: 'POST', body: bodyFor(p), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const json = (await res.json()) as { head: { status: string; message: string } };
    if (json.head.status !== '0') throw new Error(`${p.label}: ${json.head.status} ${json.head.message}`);
  };
  for (const p of paths) for (let i = 0; i < 200; i++) await ask(p); // warm-up (JIT, prepared statements, connections)

  const loadStart = loadavg().map(round2);
  log(`latency: one request at a time, the paths taking turns in ${SLICE_MS} ms slices, ${SECONDS} s each (load average ${loadStart.join(' ')})`);
  const before = await Promise.all([b, hub, a].map(timeSpent));
  const bar = new cliProgress.SingleBar({ format: '[bench] {phase} {bar} {percentage}% | {value}/{total} s', stream: process.stderr }, cliProgress.Presets.shades_classic);
  const samples = paths.map(() => [] as number[]);
  const spent = paths.map(() => 0);
  bar.start(SECONDS * paths.length, 0, { phase: 'latency' });
  while (spent.some((s) => s < SECONDS * 1000)) {
    for (const [i, p] of paths.entries()) {
      const t0 = performance.now();
      while (performance.now() - t0 < SLICE_MS) {
        const s = performance.now();
        await ask(p);
        samples[i]!.push(performance.now() - s);
      }
      spent[i]! += performance.now() - t0;
      bar.update(Math.min(SECONDS * paths.length, Math.floor(spent.reduce((x, y) => x + y, 0) / 1000)));
    }
  }
  bar.stop();
  const latency = paths.map((p, i) => {
    const sorted = samples[i]!.sort((x, y) => x - y);
    return { path: p.label, requests: sorted.length, p50: round2(quantile(sorted, 0.5)), p99: round2(quantile(sorted, 0.99)) };
  });
  const after = await Promise.all([b, hub, a].map(timeSpent));
  const where = ['B', 'hub', 'A'].map((name, i) => breakdown(name, before[i]!, after[i]!));
  const added = { p50: round2(latency[2]!.p50 - latency[0]!.p50), p99: round2(latency[2]!.p99 - latency[0]!.p99) };
  // What each hop adds on its own, one request at a time: the hub's hop (hub → B beside B alone) and A's (A → hub → B beside hub → B).
  const perHop = { hubP50: round2(latency[1]!.p50 - latency[0]!.p50), aP50: round2(latency[2]!.p50 - latency[1]!.p50) };

  // Two rounds, the paths in turn, each round half the time: a busy moment of the shared machine falls on all of them.
  log(`throughput: ${CONNECTIONS} connections, ${SECONDS} s per path in two rounds`);
  const runs = paths.map(() => [] as { rps: number; p50: number; p99: number; errors: number; non2xx: number }[]);
  const tbar = new cliProgress.SingleBar({ format: '[bench] throughput {bar} {percentage}% | {path}', stream: process.stderr }, cliProgress.Presets.shades_classic);
  tbar.start(paths.length * SECONDS, 0, { path: '' });
  for (let round = 0; round < 2; round++) {
    for (const [i, p] of paths.entries()) {
      const timer = setInterval(() => tbar.increment(1, { path: p.label }), 1000);
      const r = await autocannon({
        url: p.url, connections: CONNECTIONS, duration: SECONDS / 2, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: bodyFor(p) }) }],
      } as autocannon.Options);
      clearInterval(timer);
      runs[i]!.push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx });
    }
  }
  tbar.update(paths.length * SECONDS);
  tbar.stop();
  const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
  const throughput = paths.map((p, i) => ({
    path: p.label, rps: Math.round(mean(runs[i]!.map((r) => r.rps))), p50: Math.round(mean(runs[i]!.map((r) => r.p50))),
    p99: Math.round(mean(runs[i]!.map((r) => r.p99))), errors: runs[i]!.reduce((x, r) => x + r.errors, 0), non2xx: runs[i]!.reduce((x, r) => x + r.non2xx, 0),
  }));
  if (throughput.some((t) => t.errors > 0 || t.non2xx > 0)) throw new Error(`failed requests under load: ${JSON.stringify(throughput)}`);
  // Every answer must have been a success: a failing path would look fast.
  for (const p of paths) await ask(p);
  for (const x of [hub, a, b]) x.child.kill('SIGTERM');

  const local = throughput[0]!;
  const rows = throughput.slice(1).map((t) => ({ endpoint: t.path, rps: t.rps, baselineRps: local.rps, p99: t.p99, ratio: round2(t.rps / local.rps) }));
  const load = { start: loadStart, end: loadavg().map(round2) };
  const twoHopRatio = rows[1]!.ratio;
  const goals = { eachHopAtMost1ms: perHop.hubP50 <= 1 && perHop.aP50 <= 1, twoHopsAtLeast035: twoHopRatio >= 0.35 };
  const summary = { date: new Date().toISOString(), count: COUNT, seconds: SECONDS, connections: CONNECTIONS, node: process.version, load, latency, added, perHop, where, throughput, rows, twoHopRatio, goals };
  writeFileSync(join(ROOT, 'bench', 'federation-results.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(ROOT, 'bench', 'federation-results.svg'), renderChart(rows, {
    title: `Cross-region info request, ${CONNECTIONS} connections: through the hops (red) vs B answering locally (grey)`, unit: 'req/s', baseline: 'req/s local',
  }));
  updateBenchmarkPage(summary);
  console.table(latency);
  console.log(`added by the two extra hops: p50 ${added.p50} ms, p99 ${added.p99} ms; by the hub's hop ${perHop.hubP50} ms, by A's ${perHop.aP50} ms (goal ≤ 1 ms each)`);
  console.table(where);
  console.table(throughput);
  console.log(`two hops / local: ${twoHopRatio} (goal ≥ 0.35); load average ${load.start.join(' ')} at the start, ${load.end.join(' ')} at the end`);
}

function updateBenchmarkPage(s: { date: string; count: number; seconds: number; connections: number; latency: { path: string; requests: number; p50: number; p99: number }[];
  added: { p50: number; p99: number }; perHop: { hubP50: number; aP50: number }; twoHopRatio: number; load: { start: number[]; end: number[] };
  where: ReturnType<typeof breakdown>[]; throughput: { path: string; rps: number; p50: number; p99: number }[] }) {
  const text = [
    `Measured ${s.date.slice(0, 10)} on the 2-core machine (load average ${s.load.start.join(' ')} at the start, ${s.load.end.join(' ')} at the end): three nodes, PostgreSQL 15 and the load generator on the same two cores, ${s.count.toLocaleString('en')} certificates at B, every hop recording its use before answering. Latency: one request at a time, ${s.seconds} s per path in alternating slices; throughput: ${s.connections} connections, ${s.seconds} s per path in two alternating rounds (means).`,
    '',
    '| path of GetCertificateDataByCertificateID | p50 ms (one at a time) | p99 ms (one at a time) | req/s | p50 ms | p99 ms |',
    '|---|---|---|---|---|---|',
    ...s.latency.map((l, i) => `| ${l.path} | ${l.p50} | ${l.p99} | ${s.throughput[i]!.rps} | ${s.throughput[i]!.p50} | ${s.throughput[i]!.p99} |`),
    '',
    `Added by the two extra hops (A → hub → B beside B alone, one request at a time): p50 ${s.added.p50} ms, p99 ${s.added.p99} ms; the hub's hop ${s.perHop.hubP50} ms, A's ${s.perHop.aP50} ms (goal: ≤ 1 ms each). Two hops sustain ${s.twoHopRatio} of the local rate (goal: ≥ 0.35).`,
    '',
    'Where each node\'s time went during the latency run (its own /metrics, per request it answered): answering it, waiting for the next hop, its own part, and one usage commit.',
    '',
    '| node | requests | answer ms | next hop ms | own ms | usage commit ms | records per request |',
    '|---|---|---|---|---|---|---|',
    ...s.where.map((w) => `| ${w.node} | ${w.requests} | ${w.answerMs} | ${w.nextHopMs} | ${w.ownMs} | ${w.commitMs} | ${w.recordsPerRequest} |`),
    '',
    '![federation benchmark](../bench/federation-results.svg)',
  ].join('\n');
  replaceBenchmarkSection('bench-federation', text);
}

main().catch((err) => {
  console.error(err);
  for (const c of children) c.kill('SIGTERM');
  process.exit(1);
});
