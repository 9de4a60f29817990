/**
 * Benchmark of issuing on PostgreSQL, through the core services the Beijing interface calls:
 *
 *   npm run bench:issuing -- [--count 10000] [--singles 20]
 *
 * 1. raw SM2: the node key signing canonical certificate data, as fast as it goes (the baseline);
 * 2. sign: create + sign one certificate at a time, each with its signature, event and PDF layout
 *    file (what `POST /license/{item}/sign` does);
 * 3. batch_sign: `count` drafts made by batch_create, then signed by one batch_sign, in chunks.
 * Each rate is reported beside the raw SM2 rate of the same run; results go to
 * bench/issuing-results.json, the chart bench/issuing-results.svg and docs/benchmarks.md.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { openServices } from '../src/node/services.js';
import { signedBytes } from '../src/domain/canonical.js';
import { makeCitizenId, makeCreditCode } from '../src/domain/holder-code.js';
import type { WriteContext } from '../src/core/issuing.js';
import { ROOT, numberArg, ratioTable, replaceBenchmarkSection, freshDatabase } from './support.js';
import { renderChart } from './chart.js';

const COUNT = numberArg('count', 10_000);
const SINGLES = numberArg('singles', 20);
const log = (m: string) => console.error(`[bench] ${m}`);

const TYPE = '111000000000131433001';
const ORG = makeCreditCode('1', '1', '110105', '00000101X');
const ctx: WriteContext = { operator: { account: 'bench', name: '压测', divisionCode: '110105' }, itemCode: 'BENCH', itemName: '婚姻登记', caller: { app: 'bench' } };
const fields = (i: number) => ({
  CZR: `持证人${i}`, CYRSFZJHM: makeCitizenId('110105', `${1950 + Math.floor(i / 1000) % 60}0101`, i % 1000), JHZZH: `J110105-2026-${String(i).padStart(7, '0')}`,
  POXM: `配偶${i}`, FZRQ: '2026-11-01', HYDJY: '张彬',
});

async function main() {
  const dbName = 'zz_bench_issuing';
  const url = new URL(await freshDatabase(dbName));
  const cfg = loadConfig({ databaseUrl: url.toString(), data: mkdtempSync(join(tmpdir(), 'zz-bench-issuing-')) }, { ...process.env, ZHENGZHAO_DATA_KEYS: undefined });
  const s = await openServices(cfg, { warn: () => {} });
  try {
    await s.catalog.add({
      code: TYPE, name: '结婚证', fields: [
        { columnName: 'CZR', name: '持证人', valueType: 'string', required: true, sensitive: false, role: 'holderName' },
        { columnName: 'CYRSFZJHM', name: '持有人身份证件号码', valueType: 'string', required: true, sensitive: true, role: 'holderCode' },
        { columnName: 'JHZZH', name: '结婚证字号', valueType: 'string', required: true, sensitive: false, role: 'number' },
        { columnName: 'POXM', name: '配偶姓名', valueType: 'string', required: false, sensitive: false },
        { columnName: 'FZRQ', name: '发证日期', valueType: 'string', required: false, sensitive: false, role: 'issueDate' },
        { columnName: 'HYDJY', name: '婚姻登记员', valueType: 'string', required: false, sensitive: false },
      ],
    });
    await s.items.add({ code: 'BENCH', name: '婚姻登记', orgName: '北京市朝阳区民政局', orgCode: ORG, areaCode: '110105', typeCodes: [TYPE] });

    // 1. The baseline: raw SM2 signatures of canonical data, for about three seconds.
    const sample = await s.issuing.create(TYPE, fields(9_999_999), ctx);
    const draft = (await s.certs.get(sample.id))!;
    const message = signedBytes({ ...draft, status: 'issued' });
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 3000) { s.nodeKeys.sign(message); n++; }
    const rawRate = n / ((performance.now() - t0) / 1000);
    log(`raw SM2 sign: ${rawRate.toFixed(0)}/s`);

    // 2. One at a time: create + sign, with the layout file.
    const t1 = performance.now();
    for (let i = 0; i < SINGLES; i++) {
      const made = await s.issuing.create(TYPE, fields(i), ctx);
      await s.issuing.sign(TYPE, made.id, ctx);
      process.stderr.write(`\r[bench] sign one by one: ${i + 1}/${SINGLES}`);
    }
    const singleRate = SINGLES / ((performance.now() - t1) / 1000);
    process.stderr.write('\n');
    log(`sign with layout file: ${singleRate.toFixed(1)}/s`);

    // 3. A batch: create COUNT drafts, then sign them all in one batch_sign.
    const report = (p: { kind: string; done: number; total: number }) => process.stderr.write(`\r[bench] batch_${p.kind}: ${p.done}/${p.total}   `);
    s.batches.onProgress = report;
    const t2 = performance.now();
    const made = await s.batches.create(TYPE, Array.from({ length: COUNT }, (_, i) => ({ fields: fields(SINGLES + i) })), ctx);
    const createRate = COUNT / ((performance.now() - t2) / 1000);
    process.stderr.write('\n');
    if (made.items.some((i) => !i.ok)) throw new Error(`batch_create failed: ${JSON.stringify(made.items.find((i) => !i.ok))}`);
    const t3 = performance.now();
    const signed = await s.batches.sign(TYPE, { divisionCode: '110105' }, ctx);
    const batchRate = signed.items.length / ((performance.now() - t3) / 1000);
    process.stderr.write('\n');
    if (signed.items.length !== COUNT || signed.items.some((i) => !i.ok)) throw new Error('batch_sign did not sign every draft');
    log(`batch_create ${createRate.toFixed(0)}/s, batch_sign ${batchRate.toFixed(0)}/s`);

    const rows = [
      { endpoint: 'sign (signature + PDF)', rps: +singleRate.toFixed(1), baselineRps: Math.round(rawRate), ratio: +(singleRate / rawRate).toFixed(3) },
      { endpoint: `batch_sign of ${COUNT.toLocaleString('en')}`, rps: Math.round(batchRate), baselineRps: Math.round(rawRate), ratio: +(batchRate / rawRate).toFixed(2) },
      { endpoint: `batch_create of ${COUNT.toLocaleString('en')}`, rps: Math.round(createRate), baselineRps: Math.round(rawRate), ratio: +(createRate / rawRate).toFixed(2) },
    ];
    const summary = { date: new Date().toISOString(), count: COUNT, singles: SINGLES, rawSm2PerSecond: Math.round(rawRate), rows };
    writeFileSync(join(ROOT, 'bench', 'issuing-results.json'), JSON.stringify(summary, null, 2) + '\n');
    writeFileSync(join(ROOT, 'bench', 'issuing-results.svg'), renderChart(rows, {
      title: 'Issuing on PostgreSQL: certificates/s (red) vs raw SM2 signatures/s (grey)', unit: 'certificates/s', baseline: 'raw SM2 signatures/s',
    }));
    updateBenchmarkPage(summary);
    console.table(rows);
  } finally {
    await s.close();
  }
}

function updateBenchmarkPage(s: { date: string; count: number; singles: number; rawSm2PerSecond: number; rows: { endpoint: string; rps: number; baselineRps: number; ratio: number }[] }) {
  const table = [
    `Measured ${s.date.slice(0, 10)} on the 2-core machine, PostgreSQL 15, through the core services the Beijing interface calls; the baseline is the node key's raw SM2 signing rate in the same run (${s.rawSm2PerSecond}/s).`,
    '',
    ratioTable(['operation', 'certificates/s', 'raw SM2 signatures/s'], s.rows),
    '',
    '![issuing benchmark](../bench/issuing-results.svg)',
  ].join('\n');
  replaceBenchmarkSection('bench-issuing', table);
}

main().catch((err) => { console.error(err); process.exit(1); });
