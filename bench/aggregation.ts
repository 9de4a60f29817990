/**
 * Benchmark of catalog aggregation on PostgreSQL (ZWFW C 0124 5.3):
 *
 *   npm run bench:aggregation -- [--rows 1000000] [--chunk 5000]
 *
 * A hub's lic_data gets `rows` valid rows (COPY, not timed). Then, in the same run:
 * 1. baseline: the catalog rows those lic_data rows become (blind indexes and sealed parts computed
 *    beforehand, not timed) loaded with one plain COPY into the certificates table, indexes and all;
 * 2. aggregation: the same table emptied, `Aggregator.run` reads the rows, checks every rule, seals
 *    and upserts them and commits its position per chunk.
 * The aggregation rate is reported beside the COPY rate (the goal is ≥ 0.5 of it); results go to
 * bench/aggregation-results.json, the chart bench/aggregation-results.svg and docs/benchmarks.md.
 */
import { appendFileSync, createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
// The aggregator measured is the compiled one that `npm start` runs (the npm script builds dist/ first):
// its worker threads then load plain JavaScript, as in production.
import { loadConfig } from '../dist/config.js';
import { openServices } from '../dist/node/services.js';
import { CATALOG_COPY } from '../dist/store/certificates.js';
import { checkCatalogRow } from '../dist/domain/catalog-row.js';
import type { CatalogEntry, CatalogRow } from '../src/domain/catalog-row.js';
import { catalogRow, MARRIAGE_TYPE } from '../test/support/catalog-rows.js';
import { ROOT, numberArg, ratioTable, freshDatabase, replaceBenchmarkSection } from './support.js';
import { renderChart } from './chart.js';

const ROWS = numberArg('rows', 1_000_000);
const CHUNK = numberArg('chunk', 5000);
const log = (m: string) => console.error(`[bench] ${m}`);
const progress = (label: string, done: number, total: number) => process.stderr.write(`\r[bench] ${label}: ${done}/${total} (${((100 * done) / total).toFixed(0)}%)   `);

/** COPY text format: tab-separated, \N for null, backslash escapes. */
const esc = (v: string | number | null | undefined) =>
  v === null || v === undefined ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

async function copy(client: pg.PoolClient | pg.Client, sql: string, lines: () => Generator<string>) {
  const source = Readable.from((function* () {
    let buf: string[] = [];
    for (const line of lines()) {
      buf.push(line);
      if (buf.length >= 2000) { yield buf.join(''); buf = []; }
    }
    if (buf.length) yield buf.join('');
  })());
  await pipeline(source, client.query(copyFrom(sql)));
}

async function main() {
  const dbName = 'zz_bench_aggregation';
  const url = new URL(await freshDatabase(dbName));
  const env = { ...process.env, ZHENGZHAO_DATA_KEYS: undefined, ZHENGZHAO_AGGREGATE_CHUNK: String(CHUNK) };
  const cfg = loadConfig({ databaseUrl: url.toString(), data: mkdtempSync(join(tmpdir(), 'zz-bench-aggregation-')), role: 'hub' }, env);
  const s = await openServices(cfg, { warn: () => {} });
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await s.catalog.add(MARRIAGE_TYPE);

    // The hub's lic_data: ROWS valid rows, as exchanges would have brought them.
    const t0 = performance.now();
    await copy(client, `copy front.lic_data ("CertificateSourceId", "CertificateName", "CertificateType", "CertificateTypeCode", "IssueDept",
      "IssueDeptCode", "CertificateAreaCode", "CertificateHolder", "CertificateHolderCode", "CertificateHolderType", "CertificateNumber",
      "IssueDate", "Cd_operation", "Cd_time", "Cd_batch", "DataSource") from stdin`, function* () {
      for (let i = 0; i < ROWS; i++) {
        const r = catalogRow(i, { batch: `BENCH${String(Math.floor(i / 100_000)).padStart(27, '0')}` });
        yield `${[r.sourceId, r.name, r.typeName, r.typeCode, r.issuerName, r.issuerCode, r.areaCode, r.holderName, r.holderCode, r.holderType,
          r.number, r.issueDate, r.operation, r.time, r.batch, r.dataSource].map(esc).join('\t')}\n`;
        if (i % 50_000 === 0) progress('lic_data', i, ROWS);
      }
    });
    progress('lic_data', ROWS, ROWS);
    process.stderr.write('\n');
    log(`lic_data: ${ROWS} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await client.query('vacuum analyze front.lic_data');

    // 1. Baseline: the same rows as catalog rows, prepared first, then one plain COPY into certificates.
    // Kept in a file (a million lines do not fit the heap comfortably); just written, it is read back from the page cache.
    const copyFile = join(cfg.dataDir, 'catalog.copy');
    writeFileSync(copyFile, '');
    for (let i = 0; i < ROWS; i += 10_000) {
      const entries: CatalogEntry[] = [];
      for (let k = i; k < Math.min(ROWS, i + 10_000); k++) {
        const c = checkCatalogRow(catalogRow(k) as CatalogRow);
        if (!c.ok) throw new Error(c.problem.remark);
        entries.push(c.entry);
      }
      // The very lines the aggregator's COPY sends for new certificates.
      appendFileSync(copyFile, s.certs.sealCatalog(entries).copy);
      progress('preparing catalog rows for COPY', Math.min(ROWS, i + 10_000), ROWS);
    }
    process.stderr.write('\n');
    const t1 = performance.now();
    await pipeline(createReadStream(copyFile, { highWaterMark: 1 << 20 }), client.query(copyFrom(CATALOG_COPY)));
    const copySeconds = (performance.now() - t1) / 1000;
    const copyRate = ROWS / copySeconds;
    rmSync(copyFile);
    log(`COPY into certificates: ${copySeconds.toFixed(1)} s, ${copyRate.toFixed(0)} rows/s`);
    await client.query('truncate certificates');
    await client.query('vacuum analyze certificates');

    // 2. Aggregation of the same rows into the same (emptied) table.
    const t2 = performance.now();
    const summary = await s.aggregator.run({ onProgress: (p) => progress('aggregate', p.position - p.from, p.horizon - p.from) });
    const aggSeconds = (performance.now() - t2) / 1000;
    process.stderr.write('\n');
    if (summary.applied !== ROWS || summary.rejected !== 0) throw new Error(`aggregation applied ${summary.applied}, rejected ${summary.rejected}`);
    const count = Number((await client.query('select count(*) as n from certificates')).rows[0].n);
    if (count !== ROWS) throw new Error(`catalog has ${count} rows`);
    const aggRate = ROWS / aggSeconds;
    log(`aggregation: ${aggSeconds.toFixed(1)} s, ${aggRate.toFixed(0)} rows/s, ratio ${(aggRate / copyRate).toFixed(2)}`);

    const rows = [{ endpoint: `aggregate ${ROWS.toLocaleString('en')} lic_data rows`, rps: Math.round(aggRate), baselineRps: Math.round(copyRate), ratio: +(aggRate / copyRate).toFixed(2) }];
    const result = { date: new Date().toISOString(), rows: ROWS, chunk: CHUNK, copySeconds: +copySeconds.toFixed(2), aggregateSeconds: +aggSeconds.toFixed(2), results: rows };
    writeFileSync(join(ROOT, 'bench', 'aggregation-results.json'), JSON.stringify(result, null, 2) + '\n');
    writeFileSync(join(ROOT, 'bench', 'aggregation-results.svg'), renderChart(rows, {
      title: 'Catalog aggregation on PostgreSQL: rows/s (red) vs plain COPY of the same rows (grey)', unit: 'rows/s', baseline: 'rows/s by COPY',
    }));
    updateBenchmarkPage(result);
    console.table(rows);
  } finally {
    await client.end();
    await s.close();
  }
}

function updateBenchmarkPage(r: { date: string; rows: number; chunk: number; copySeconds: number; aggregateSeconds: number; results: { endpoint: string; rps: number; baselineRps: number; ratio: number }[] }) {
  const table = [
    `Measured ${r.date.slice(0, 10)} on the 2-core machine, PostgreSQL 15: ${r.rows.toLocaleString('en')} lic_data rows aggregated into the catalog (every rule checked, holder and number sealed and blind-indexed, position committed every ${r.chunk} rows) in ${r.aggregateSeconds} s, beside one plain COPY of the same catalog rows, prepared beforehand, into the same indexed table (${r.copySeconds} s).`,
    '',
    ratioTable(['operation', 'rows/s', 'COPY rows/s'], r.results),
    '',
    '![aggregation benchmark](../bench/aggregation-results.svg)',
  ].join('\n');
  replaceBenchmarkSection('bench-aggregation', table);
}

main().catch((err) => { console.error(err); process.exit(1); });
