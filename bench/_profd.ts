import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../dist/config.js';
import { openServices } from '../dist/core/services.js';
import { catalogRow, MARRIAGE_TYPE } from '../test/support/catalog-rows.js';
import { numberArg, freshDatabase } from './support.js';
const ROWS = numberArg('rows', 200_000);
const esc = (v: string | number | null | undefined) => v === null || v === undefined ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t');
async function main() {
  const fill = process.argv.includes('--fill');
  const url = fill ? new URL(await freshDatabase('zz_prof')) : new URL('postgres://postgres@127.0.0.1:5432/zz_prof');
  const cfg = loadConfig({ databaseUrl: url.toString(), data: '/tmp/prof/data', role: 'hub' }, { ...process.env, ZHENGZHAO_DATA_KEYS: undefined });
  const s = await openServices(cfg, { warn: () => {} });
  const client = new pg.Client({ connectionString: url.toString() }); await client.connect();
  if (fill) {
    await s.catalog.add(MARRIAGE_TYPE);
    const src = Readable.from((function* () { let b: string[] = []; for (let i = 0; i < ROWS; i++) { const r = catalogRow(i, { batch: `BENCH${String(Math.floor(i / 100_000)).padStart(27, '0')}` });
      b.push(`${[r.sourceId, r.name, r.typeName, r.typeCode, r.issuerName, r.issuerCode, r.areaCode, r.holderName, r.holderCode, r.holderType, r.number, r.issueDate, r.operation, r.time, r.batch, r.dataSource].map(esc).join('\t')}\n`);
      if (b.length >= 2000) { yield b.join(''); b = []; } } if (b.length) yield b.join(''); })());
    await pipeline(src, client.query(copyFrom(`copy front.lic_data ("CertificateSourceId", "CertificateName", "CertificateType", "CertificateTypeCode", "IssueDept", "IssueDeptCode", "CertificateAreaCode", "CertificateHolder", "CertificateHolderCode", "CertificateHolderType", "CertificateNumber", "IssueDate", "Cd_operation", "Cd_time", "Cd_batch", "DataSource") from stdin`)));
    await client.query('vacuum analyze front.lic_data');
  }
  await client.query('truncate certificates cascade'); await client.query('truncate front.lic_data_error cascade');
  await client.query('update front.aggregation_state set position = 0, applied = 0, rejected = 0').catch((e) => console.error(String(e)));
  await client.query('delete from front.batch_ledger').catch(() => {});
  await client.query('checkpoint'); await client.query('vacuum analyze certificates');
  const t = performance.now();
  const sum = await s.aggregator.run();
  const sec = (performance.now() - t) / 1000;
  console.log(`applied ${sum.applied} rejected ${sum.rejected} in ${sec.toFixed(2)} s = ${(sum.applied / sec).toFixed(0)} rows/s`);
  await client.end(); await s.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
