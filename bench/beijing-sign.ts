/**
 * Benchmark of Beijing `sign` (table 5, `POST /license/{item}/sign`) over HTTP against a real node:
 *
 *   npm run bench:beijing-sign -- [--count 300] [--connections 4]
 *
 * A node (`zhengzhao serve`, its own process, PostgreSQL) is set up as a district's registry office
 * would be: a certificate type, a service item, its seal, an operator. `count` drafts are made with
 * `create`, then signed by `connections` clients at once: the rate is requests answered per second,
 * with each certificate's PDF and OFD originals made by the node's file pool off the request path.
 * Then the time until every original is on disk gives the pool's throughput (files/s on this
 * machine's cores). The baseline is the raw SM2 signing rate measured in this process in the same
 * run (before and after, averaged), as the ratio asks. Results go to
 * bench/beijing-sign-results.json; the load average is printed beside them.
 */
import { readdirSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { generateSm2KeyPair, sm2Sign, SM2_DEFAULT_USER_ID } from '../src/crypto/sm2.js';
import { makeCitizenId, makeCreditCode } from '../src/domain/holder-code.js';
import { ROOT, numberArg, BENCH_SERVER } from './support.js';

process.env.TEST_DATABASE_URL ??= BENCH_SERVER;
// The node runs compiled (dist/, built by the npm script), as in production, not through tsx.
process.env.ZHENGZHAO_TEST_COMPILED ??= '1';
const { makeBackend } = await import('../test/support/backends.js');
const { startNode, cli } = await import('../test/support/node-process.js');

const COUNT = numberArg('count', 300);
const CONNECTIONS = numberArg('connections', 4);
const log = (m: string) => console.error(`[bench] ${m}`);

const TYPE = '111000000000131433001';
const ITEM = { code: '110105MZ001', name: '婚姻登记', org: '北京市朝阳区民政局', orgCode: makeCreditCode('1', '1', '110105', '00000101X') };
const FIELDS = ['CZR:持证人:required:role=holderName', 'CYRSFZJHM:持有人身份证件号码:required:sensitive:role=holderCode', 'POXM:配偶姓名',
  'JHZZH:结婚证字号:required:role=number', 'FZRQ:发证日期:role=issueDate', 'HYDJY:婚姻登记员'];
const OPERATOR = { division_code: '110105', service_org: ITEM.org, division: '朝阳区', identity_num: '', account: 'bench', role: '婚姻登记员', name: '张彬' };
const common = { service_item_code: ITEM.code, service_item_name: ITEM.name, biz_num: 'BENCH', operator: OPERATOR };

/** Raw SM2 signatures per second of a 200-byte message, for about `ms`. */
function rawSm2Rate(ms: number): number {
  const { privateKey } = generateSm2KeyPair();
  const message = Buffer.alloc(200, 7);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) { sm2Sign(message, privateKey, SM2_DEFAULT_USER_ID); n++; }
  return n / ((performance.now() - t0) / 1000);
}

/** Runs `jobs` with `width` of them in flight at a time. */
async function inParallel<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) { const i = next++; out[i] = await jobs[i]!(); }
  }));
  return out;
}

async function main() {
  const b = await makeBackend('postgres');
  const must = (args: string[]) => {
    const r = cli(b, args);
    if (r.status !== 0) throw new Error(`zhengzhao ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  log('setting up the node');
  const app = JSON.parse(must(['apps', 'add', '--name', '婚姻登记系统'])) as { appKey: string; appSecret: string };
  must(['users', 'add', '--account', 'bench', '--name', '张彬', '--password', 'abc12345', '--division-code', '110105']);
  must(['types', 'add', '--code', TYPE, '--name', '结婚证', '--authority', '中华人民共和国民政部', '--field', ...FIELDS]);
  must(['items', 'add', '--code', ITEM.code, '--name', ITEM.name, '--org-name', ITEM.org, '--org-code', ITEM.orgCode, '--area-code', '110105', '--type', TYPE]);
  const seal = (JSON.parse(must(['seals', 'add', '--org-code', ITEM.orgCode, '--org-name', ITEM.org, '--json'])) as { esId: string }).esId;
  const node = await startNode(b);
  try {
    const api = `${node.baseUrl}/beijing/api`;
    const login = await fetch(`${api}/security/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_key: app.appKey, app_secret: app.appSecret, account: 'bench', password: 'abc12345' }),
    });
    const token = ((await login.json()) as { access_token: string }).access_token;
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${api}${path}?access_token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await res.json()) as { ack_code: string; data?: { license_code: string }; errors?: unknown[] };
    };

    log(`creating ${COUNT} drafts`);
    const drafts = await inParallel(Array.from({ length: COUNT }, (_, i) => async () => {
      const r = await post(`/license/${TYPE}/create`, {
        data: { ...common, seal_code: seal },
        data_fields: { CZR: `持证人${i}`, CYRSFZJHM: makeCitizenId('110105', `${1950 + (i % 50)}0101`, i % 1000), POXM: `配偶${i}`, JHZZH: `J110105-2026-${String(i).padStart(6, '0')}`, FZRQ: '2026-11-01', HYDJY: '张彬' },
      });
      if (r.ack_code !== 'SUCCESS') throw new Error(`create: ${JSON.stringify(r)}`);
      return r.data!.license_code;
    }), CONNECTIONS);

    const rawBefore = rawSm2Rate(3000);
    log(`raw SM2 sign: ${rawBefore.toFixed(0)}/s; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

    const latencies: number[] = [];
    let busy = 0;
    const t0 = performance.now();
    await inParallel(drafts.map((code) => async () => {
      const t = performance.now();
      const r = await post(`/license/${TYPE}/sign`, { data: { license_code: code, ...common } });
      latencies.push(performance.now() - t);
      if (r.ack_code !== 'SUCCESS') {
        if (JSON.stringify(r).includes('RESOURCE_EXHAUSTED')) busy++;
        else throw new Error(`sign: ${JSON.stringify(r)}`);
      }
    }), CONNECTIONS);
    const signSeconds = (performance.now() - t0) / 1000;
    const signRate = COUNT / signSeconds;
    latencies.sort((x, y) => x - y);
    const p50 = latencies[Math.floor(latencies.length / 2)]!, p99 = latencies[Math.floor(latencies.length * 0.99)]!;
    log(`sign: ${signRate.toFixed(1)} answered/s (p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, ${busy} answered busy)`);

    // The originals the pool makes after the answers: both formats of every signed certificate.
    const dir = join(b.dataDir, 'files');
    const want = 2 * (COUNT - busy);
    const onDisk = () => (existsSync(dir) ? readdirSync(dir).filter((f) => /\.(pdf|ofd)$/.test(f)).length : 0);
    const atAnswer = onDisk();
    while (onDisk() < want && performance.now() - t0 < 600_000) await new Promise((r) => setTimeout(r, 100));
    const filesSeconds = (performance.now() - t0) / 1000;
    const filesRate = onDisk() / filesSeconds;
    log(`files: ${atAnswer} of ${want} on disk when the last sign was answered; all ${onDisk()} after ${filesSeconds.toFixed(1)} s (${filesRate.toFixed(1)} files/s)`);

    const rawAfter = rawSm2Rate(3000);
    const raw = (rawBefore + rawAfter) / 2;
    const load = loadavg().map((l) => +l.toFixed(2));
    const rows = [
      { endpoint: `Beijing sign, ${CONNECTIONS} clients (answered)`, rps: +signRate.toFixed(1), baselineRps: Math.round(raw), ratio: +(signRate / raw).toFixed(4) },
      { endpoint: 'originals made by the file pool (PDF + OFD)', rps: +filesRate.toFixed(1), baselineRps: Math.round(raw), ratio: +(filesRate / raw).toFixed(4) },
    ];
    const summary = { date: new Date().toISOString(), count: COUNT, connections: CONNECTIONS, rawSm2PerSecond: Math.round(raw), rawSm2Before: Math.round(rawBefore), rawSm2After: Math.round(rawAfter),
      signP50Ms: Math.round(p50), signP99Ms: Math.round(p99), busyAnswers: busy, filesOnDiskAtLastAnswer: atAnswer, loadAverage: load, rows };
    writeFileSync(join(ROOT, 'bench', 'beijing-sign-results.json'), JSON.stringify(summary, null, 2) + '\n');
    console.table(rows);
    log(`load average ${load.join(' ')}`);
  } finally {
    await node.stop();
    await b.cleanup();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
