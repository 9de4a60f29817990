/**
 * SM2 sign and verify on one core, beside `openssl speed sm2` measured in the same run:
 *
 *   npm run bench:sm2 -- [--seconds 2] [--rounds 2]
 *
 * Ours through the OpenSSL addon and through the JavaScript fallback, each for `seconds`, on a
 * 20-byte message as `openssl speed` signs (with Z and the default user ID, as openssl speed does),
 * taking turns with `openssl speed`. Rates are per second of CPU time on both sides (see rate()).
 * Results go to bench/sm2-results.json, the chart bench/sm2-results.svg and docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSm2KeyPair, SM2_DEFAULT_USER_ID as ID } from '../src/crypto/sm2.js';
import { jsSign, jsVerify } from '../src/crypto/sm2-js.js';
import { loadNativeSm2 } from '../src/crypto/sm2-native.js';
import { ROOT, numberArg, ratioTable, replaceBenchmarkSection } from './support.js';
import { renderChart, type ChartRow } from './chart.js';

const SECONDS = numberArg('seconds', 2);
const ROUNDS = numberArg('rounds', 2);
const log = (m: string) => console.error(`[bench] ${m}`);

function opensslSpeed(): { sign: number; verify: number; version: string } {
  log(`openssl speed -seconds ${SECONDS} sm2 (sign, then verify)…`);
  const run = spawnSync('openssl', ['speed', '-seconds', String(SECONDS), 'sm2'], { encoding: 'utf8' });
  // " 256 bits SM2 (CurveSM2)   0.0004s   0.0004s   2522.7   2822.4": the last two are sign/s and verify/s.
  const line = run.stdout?.split('\n').find((l) => /bits SM2/.test(l));
  const nums = line?.trim().split(/\s+/).slice(-2).map(Number);
  if (run.status !== 0 || !nums || nums.some((n) => !Number.isFinite(n))) throw new Error(`openssl speed sm2 failed: ${run.stderr}`);
  const version = spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim().replace(/ \(Library.*$/, '');
  log(`openssl: ${nums[0]} sign/s, ${nums[1]} verify/s`);
  return { sign: nums[0]!, verify: nums[1]!, version };
}

/**
 * Operations per second of CPU time, as openssl speed counts them (it divides by its user CPU time
 * unless given -elapsed): on a shared machine wall time would charge us for other people's work.
 * Ours divides by the whole process's user + system time, which can only lower it.
 */
function rate(what: string, op: () => unknown): number {
  let n = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - t0 < SECONDS * 1000) { op(); n++; }
  const cpu = process.cpuUsage(cpu0);
  const r = n / ((cpu.user + cpu.system) / 1e6);
  log(`${what}: ${r.toFixed(0)}/s of CPU time (${(n / ((performance.now() - t0) / 1000)).toFixed(0)}/s of wall time)`);
  return r;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function main() {
  const native = loadNativeSm2();
  if (!native) log('the SM2 addon is not built: only the JavaScript rates are measured');
  const k = generateSm2KeyPair();
  const msg = Buffer.alloc(20, 0x61);
  const sig = native?.sign(msg, k.privateKey, ID);
  if (native && !native.verify(msg, sig!, k.publicKey, ID)) throw new Error('native signature does not verify');
  const jsSig = jsSign(msg, k.privateKey, ID);
  if (!jsVerify(msg, jsSig, k.publicKey, ID)) throw new Error('JS signature does not verify');

  // openssl speed and ours take turns, and openssl has the last turn too; each side's rate is its
  // mean over its turns, so a load that drifts during the run (the machine is shared) weighs on both.
  const baseline: { sign: number; verify: number }[] = [];
  const ours = { addonSign: [] as number[], addonVerify: [] as number[], jsSign: [] as number[], jsVerify: [] as number[] };
  let version = '';
  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round}/${ROUNDS}`);
    const speed = opensslSpeed();
    version = speed.version;
    baseline.push(speed);
    if (native) {
      ours.addonSign.push(rate('addon sign', () => native.sign(msg, k.privateKey, ID)));
      ours.addonVerify.push(rate('addon verify', () => native.verify(msg, sig!, k.publicKey, ID)));
    }
    ours.jsSign.push(rate('JavaScript sign', () => jsSign(msg, k.privateKey, ID)));
    ours.jsVerify.push(rate('JavaScript verify', () => jsVerify(msg, jsSig, k.publicKey, ID)));
  }
  baseline.push(opensslSpeed());
  const speed = { sign: mean(baseline.map((b) => b.sign)), verify: mean(baseline.map((b) => b.verify)) };
  const measured: { label: string; sign: number; verify: number }[] = [];
  if (native) measured.push({ label: 'OpenSSL addon', sign: mean(ours.addonSign), verify: mean(ours.addonVerify) });
  measured.push({ label: 'JavaScript', sign: mean(ours.jsSign), verify: mean(ours.jsVerify) });
  const rows: ChartRow[] = measured.flatMap((m) => (['sign', 'verify'] as const).map((op) => ({
    endpoint: `${op} (${m.label})`, rps: Math.round(m[op]), baselineRps: Math.round(speed[op]), ratio: +(m[op] / speed[op]).toFixed(2),
  })));
  const summary = { date: new Date().toISOString(), seconds: SECONDS, rounds: ROUNDS, openssl: version, node: process.version, nodeOpenssl: process.versions.openssl, opensslSpeed: baseline.map(({ sign, verify }) => ({ sign, verify })), ours: Object.fromEntries(Object.entries(ours).map(([k, v]) => [k, v.map(Math.round)])), rows };
  writeFileSync(join(ROOT, 'bench', 'sm2-results.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(ROOT, 'bench', 'sm2-results.svg'), renderChart(rows, {
    title: 'SM2 on one core: ours (red) vs openssl speed sm2 (grey)', unit: 'ops/s', baseline: 'openssl speed ops/s',
  }));
  updateBenchmarkPage(summary);
  console.table(rows);
}

function updateBenchmarkPage(s: { date: string; seconds: number; rounds: number; openssl: string; nodeOpenssl: string; rows: ChartRow[] }) {
  const table = [
    `Measured ${s.date.slice(0, 10)} on one core of the shared 2-core machine, per second of CPU time: ${s.rounds} rounds of \`openssl speed -seconds ${s.seconds} sm2\` (${s.openssl}; Node's own is ${s.nodeOpenssl}) then ours for ${s.seconds} s each, and openssl once more; means over the turns (\`npm run bench:sm2\`).`,
    '',
    ratioTable(['operation', 'ours/s', 'openssl speed/s'], s.rows),
  ].join('\n');
  replaceBenchmarkSection('bench-sm2', table);
}

main();
