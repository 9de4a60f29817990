/**
 * Per-shard figures for docs/scale.md: what one PostgreSQL 15 database (one Citus shard's worth of
 * rows, on this machine) does with the catalog and certificate tables as the migrations make them.
 *
 *   npm run bench:scale -- [--rows 1000000] [--seconds 8] [--clients 4] [--full 2000]
 *
 * 1. aggregation: `rows` lic_data rows (COPY, not timed; four certificates per holder) aggregated into
 *    the catalog by the node's own aggregator (every rule checked, holder and number sealed and
 *    blind-indexed): rows/s into one shard;
 * 2. sizes: the certificates heap (with TOAST) and each of its indexes, and the certificate-ID lookup
 *    table (id → holder blind index, the distribution key) built from it; each per 10^7 rows;
 * 3. lookups/s on that shard, `clients` connections for `seconds` each, keys drawn at random: by the
 *    holder's blind index (every holder call), by certificate ID (primary key), and the lookup
 *    table's ID → blind index followed by the single-shard read a Citus router would send; and the
 *    server's own time per lookup (EXPLAIN ANALYZE), which a shared machine's load touches less;
 *    `--lookups-only` runs this step again on the database the last full run left;
 * 4. a province's rows: `full` certificates imported whole (surface, SM2 signature) for the average
 *    width of a row beside a catalog row's, so the province's sizes can be scaled from the catalog's.
 * Writes bench/scale-results.json (docs/scale.md does the arithmetic from it), with the load average.
 */
import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../dist/config.js';
import { openServices } from '../dist/core/services.js';
import { catalogRow, MARRIAGE_TYPE } from '../test/support/catalog-rows.js';
import { formatCertificateId } from '../src/domain/identifier.js';
import { makeCitizenId, makeCreditCode } from '../src/domain/holder-code.js';
import { BENCH_SERVER, ROOT, numberArg, freshDatabase } from './support.js';

const ROWS = numberArg('rows', 1_000_000);
const SECONDS = numberArg('seconds', 8);
const CLIENTS = numberArg('clients', 4);
const FULL = numberArg('full', 2000);
const log = (m: string) => console.error(`[bench] ${m}`);
const esc = (v: string | null | undefined) => (v === null || v === undefined ? '\\N' : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'));
/**
 * Four certificates per holder (about what 10^10 catalog rows over 1.4×10^9 people and the
 * organisations make): distinct citizen IDs by birth day and sequence, so the blind-index
 * index is as large as a real one (B-tree deduplication shrinks an index of few distinct keys).
 */
const holderFor = (k: number) => {
  const h = Math.floor(k / 4);
  const day = new Date(Date.UTC(1950, 0, 1) + Math.floor(h / 1000) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  return makeCitizenId('110105', day, h % 1000);
};
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/**
 * The server's own time for one lookup (EXPLAIN ANALYZE's execution time, median of `n` random
 * keys, ms): what a lookup costs the database, apart from the round trip and from waiting for a
 * core on a shared machine, so 1000 / it is what one core answers per second.
 */
async function serverMs(client: pg.Client, sql: string, params: () => unknown[], n = 400): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await client.query(`explain (analyze, format json) ${sql}`, params());
    times.push((r.rows[0]['QUERY PLAN'] as { 'Execution Time': number }[])[0]!['Execution Time']);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(n / 2)]! * 1000) / 1000;
}

/** Queries per second of `sql` over `clients` connections for `seconds`, each with parameters from `params()`. */
async function rate(url: string, name: string, sql: string, params: () => unknown[]): Promise<number> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  }));
  let n = 0;
  const until = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(clients.map(async (c) => {
    while (performance.now() < until) {
      await c.query({ name, text: sql, values: params() });
      n++;
    }
  }));
  const qps = Math.round(n / ((performance.now() - t0) / 1000));
  await Promise.all(clients.map((c) => c.end()));
  log(`${name}: ${qps} lookups/s`);
  return qps;
}

const QUERIES = {
  byHolder: `select c.id, c.type_code, t.name, c.holder_enc, c.issuer_name, c.issue_date, c.status, c.data_source
    from certificates c join certificate_types t on t.code = c.type_code where c.holder_bidx = $1 and c.status <> 'draft'`,
  byId: 'select c.*, t.name from certificates c join certificate_types t on t.code = c.type_code where c.id = $1',
  viaLocator: `select c.*, t.name from certificate_locator l join certificates c on c.holder_bidx = l.holder_bidx and c.id = l.id
    join certificate_types t on t.code = c.type_code where l.id = $1`,
} as const;

/** Lookups per second over `clients` connections, and the server's time per lookup, of each query on random keys of the table's own. */
async function lookups(url: string, client: pg.Client) {
  const sample = (await client.query('select id, holder_bidx from certificates tablesample bernoulli (1) limit 20000')).rows as { id: string; holder_bidx: Buffer }[];
  const pick = () => sample[Math.floor(Math.random() * sample.length)]!;
  const key = { byHolder: () => [pick().holder_bidx], byId: () => [pick().id], viaLocator: () => [pick().id] };
  log(`lookups: ${CLIENTS} connections, ${SECONDS} s each, then the server's time of 400 each`);
  const lookupsPerSecond = { byHolder: 0, byId: 0, viaLocator: 0 };
  const serverMsPerLookup = { byHolder: 0, byId: 0, viaLocator: 0 };
  for (const q of Object.keys(QUERIES) as (keyof typeof QUERIES)[]) {
    lookupsPerSecond[q] = await rate(url, q, QUERIES[q], key[q]);
    serverMsPerLookup[q] = await serverMs(client, QUERIES[q], key[q]);
    log(`${q}: ${serverMsPerLookup[q]} ms of server time`);
  }
  return { lookupsPerSecond, serverMsPerLookup };
}

async function main() {
  // --lookups-only: the lookups again on the database a full run left (its other figures kept).
  if (process.argv.includes('--lookups-only')) {
    const url = new URL(BENCH_SERVER);
    url.pathname = '/zz_bench_scale';
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const file = join(ROOT, 'bench', 'scale-results.json');
    const before = JSON.parse(readFileSync(file, 'utf8'));
    const load = { start: loadavg().map((x) => Math.round(x * 100) / 100) };
    const l = await lookups(url.toString(), client);
    await client.end();
    const result = { ...before, lookupsDate: new Date().toISOString(), lookupsLoad: { ...load, end: loadavg().map((x) => Math.round(x * 100) / 100) }, ...l };
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const load = { start: loadavg().map((x) => Math.round(x * 100) / 100) };
  const url = await freshDatabase('zz_bench_scale');
  const cfg = loadConfig({ databaseUrl: url, data: mkdtempSync(join(tmpdir(), 'zz-bench-scale-')), role: 'hub' }, { ...process.env, ZHENGZHAO_DATA_KEYS: undefined });
  const s = await openServices(cfg, { warn: () => {} });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await s.catalog.add(MARRIAGE_TYPE);
    log(`lic_data: ${ROWS} rows (not timed)`);
    const lines = Readable.from((function* () {
      for (let i = 0; i < ROWS; i += 2000) {
        const out: string[] = [];
        for (let k = i; k < Math.min(ROWS, i + 2000); k++) {
          const r = catalogRow(k, { batch: `BENCH${String(Math.floor(k / 100_000)).padStart(27, '0')}`, holderCode: holderFor(k) });
          out.push(`${[r.sourceId, r.name, r.typeName, r.typeCode, r.issuerName, r.issuerCode, r.areaCode, r.holderName, r.holderCode, r.holderType,
            r.number, r.issueDate, r.operation, r.time, r.batch, r.dataSource].map(esc).join('\t')}\n`);
        }
        yield out.join('');
      }
    })());
    await pipeline(lines, client.query(copyFrom(`copy front.lic_data ("CertificateSourceId", "CertificateName", "CertificateType", "CertificateTypeCode",
      "IssueDept", "IssueDeptCode", "CertificateAreaCode", "CertificateHolder", "CertificateHolderCode", "CertificateHolderType", "CertificateNumber",
      "IssueDate", "Cd_operation", "Cd_time", "Cd_batch", "DataSource") from stdin`)));
    await client.query('vacuum analyze front.lic_data');

    log('aggregating into the catalog (timed)');
    const t0 = performance.now();
    const summary = await s.aggregator.run({});
    const aggregateSeconds = (performance.now() - t0) / 1000;
    if (summary.applied !== ROWS) throw new Error(`aggregation applied ${summary.applied} of ${ROWS}`);
    const aggregatedPerSecond = Math.round(ROWS / aggregateSeconds);
    log(`aggregated ${ROWS} rows in ${aggregateSeconds.toFixed(1)} s: ${aggregatedPerSecond} rows/s`);
    await client.query('truncate front.lic_data');

    // The lookup table Citus needs for calls by certificate ID: the ID names no holder, the distribution key is the holder's blind index.
    await client.query('create table certificate_locator (id text primary key, holder_bidx bytea not null)');
    const t1 = performance.now();
    await client.query('insert into certificate_locator select id, holder_bidx from certificates');
    const locatorSeconds = (performance.now() - t1) / 1000;
    await client.query('vacuum analyze certificates');
    await client.query('vacuum analyze certificate_locator');

    const sizes = async (table: string) => {
      const r = await client.query(`select pg_relation_size($1::regclass) + coalesce(pg_relation_size((select reltoastrelid from pg_class where oid = $1::regclass)), 0) as heap,
        (select json_agg(json_build_object('index', indexrelid::regclass::text, 'bytes', pg_relation_size(indexrelid))) from pg_index where indrelid = $1::regclass) as indexes`, [table]);
      const row = r.rows[0] as { heap: string; indexes: { index: string; bytes: number }[] };
      const per = (bytes: number) => mb((bytes * 1e7) / ROWS);
      return { heapMB: mb(Number(row.heap)), heapPer1e7MB: per(Number(row.heap)), indexes: row.indexes.map((i) => ({ index: i.index, mb: mb(i.bytes), per1e7MB: per(i.bytes) })) };
    };
    const catalog = await sizes('certificates');
    const locator = await sizes('certificate_locator');
    const catalogWidth = Number((await client.query('select avg(pg_column_size(c.*)) as w from certificates c')).rows[0].w);

    const { lookupsPerSecond, serverMsPerLookup } = await lookups(url, client);

    // A province's certificates are whole rows (surface, signature): their width beside a catalog row's.
    log(`a province's rows: ${FULL} certificates imported whole`);
    const file = join(cfg.dataDir, 'full.ndjson');
    const issuer = makeCreditCode('1', '1', '510104', '006122244');
    writeFileSync(file, Array.from({ length: FULL }, (_, i) => JSON.stringify({
      certificateID: formatCertificateId({ typeCode: '11100000000019713D001', issuerCode: issuer, serial: `P${i}`, version: '001' }),
      certificateType: '机动车驾驶证', certificateTypeCode: '11100000000019713D001', certificateName: '机动车驾驶证',
      certificateHolder: `持证人${i}`, certificateHolderCode: makeCitizenId('510104', `${1950 + (i % 50)}0101`, i % 1000), certificateHolderType: '111',
      issueDept: '成都市公安局交通管理局', issueDeptCode: issuer, certificateAreaCode: '510104', certificateNumber: `D${i}`, issueDate: '2020-01-01',
      certificateValidateStart: '2020-01-01', certificateValidateEnd: '2040-01-01',
      surface: [{ name: '姓名', columnName: 'KZ_XM', valueType: 'string', value: `持证人${i}` }, { name: '准驾车型', columnName: 'KZ_ZJCX', valueType: 'string', value: 'C1' },
        { name: '住址', columnName: 'KZ_ZZ', valueType: 'string', value: '四川省成都市武侯区人民南路四段十一号' }, { name: '初次领证日期', columnName: 'KZ_CCLZRQ', valueType: 'string', value: '2010-01-01' }],
    })).join('\n') + '\n');
    const imp = s.importer();
    try {
      await imp.importer.importFile(file, statSync(file).size);
    } finally {
      await imp.close();
    }
    const fullWidth = Number((await client.query(`select avg(pg_column_size(c.*)) as w from certificates c where c.id like '%P%'`)).rows[0].w);

    const result = {
      date: new Date().toISOString(), rows: ROWS, seconds: SECONDS, clients: CLIENTS, postgres: (await client.query('show server_version')).rows[0].server_version,
      load: { ...load, end: loadavg().map((x) => Math.round(x * 100) / 100) },
      aggregation: { seconds: Math.round(aggregateSeconds * 10) / 10, rowsPerSecond: aggregatedPerSecond },
      locatorFill: { seconds: Math.round(locatorSeconds * 10) / 10, rowsPerSecond: Math.round(ROWS / locatorSeconds) },
      catalog: { ...catalog, rowWidthBytes: Math.round(catalogWidth) },
      locator,
      province: { fullRowWidthBytes: Math.round(fullWidth), widthRatio: Math.round((fullWidth / catalogWidth) * 100) / 100 },
      lookupsPerSecond, serverMsPerLookup,
    };
    writeFileSync(join(ROOT, 'bench', 'scale-results.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await client.end();
    await s.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
