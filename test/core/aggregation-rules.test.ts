import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { catalogProblem, type CatalogRow } from '../../src/domain/catalog-row.js';
import { catalogRow, idFor, ISSUER, MARRIAGE, MARRIAGE_TYPE } from '../support/catalog-rows.js';
import { makeCreditCode } from '../../src/domain/holder-code.js';
import { makeBackend, type Backend } from '../support/backends.js';

/**
 * Every rule the hub's aggregator knows, one bad row each: the row lands in lic_data_error with a
 * remark naming the field and the rule, and nothing of it reaches the catalog. One hub.
 */
describe('aggregation: every rule a lic_data row can break', () => {
  let b: Backend;
  let s: Services;
  let n = 1000;
  before(async () => {
    b = await makeBackend();
    s = await openServices(loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl, role: 'hub' }, {}), { warn: () => {} });
    await s.catalog.add(MARRIAGE_TYPE);
  });
  after(async () => { await s.close(); await b.cleanup(); });

  /** Writes rows straight into the hub's lic_data, aggregates, and answers the new error rows. */
  async function aggregate(rows: CatalogRow[]) {
    const before = (await s.db.query<{ m: number }>('select coalesce(max("ID"), 0) as m from front.lic_data_error'))[0]!.m;
    await s.db.transaction((tx) => s.front.insertRows(tx, rows));
    const summary = await s.aggregator.run();
    const errors = await s.db.query<{ CertificateSourceId: string; ErrorRemark: string; cd_batch: string; cd_operation: string }>(
      'select * from front.lic_data_error where "ID" > $1 order by "ID"', [before]);
    return { summary, errors };
  }

  async function inCatalog(id: string): Promise<boolean> {
    return (await s.db.query('select 1 from certificates where id = $1', [id])).length === 1;
  }

  async function rejects(over: (i: number) => Partial<CatalogRow>, remark: RegExp) {
    const i = n++;
    const bad = catalogRow(i, over(i));
    const good = catalogRow(n++);
    const { summary, errors } = await aggregate([bad, good]);
    assert.equal(summary.read, 2);
    assert.equal(summary.rejected, 1, JSON.stringify(errors));
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.CertificateSourceId, bad.sourceId);
    assert.equal(errors[0]!.cd_batch, bad.batch, 'the error row keeps the batch, for reconciliation');
    assert.match(errors[0]!.ErrorRemark, remark);
    assert.equal(await inCatalog(bad.sourceId), false, 'nothing of a bad row reaches the catalog');
    assert.equal(await inCatalog(good.sourceId), true, 'a good row beside it is applied');
  }

  const cases: [string, (i: number) => Partial<CatalogRow>, RegExp][] = [
    ['a required field left empty', () => ({ name: '  ' }), /^CertificateName\(证照名称\): required/],
    ['a required holder name left empty', () => ({ holderName: '' }), /^CertificateHolder\(持证主体\): required/],
    ['Cd_operation other than I, U, D', () => ({ operation: 'X' }), /^Cd_operation\(同步类型\): must be I, U or D/],
    ['a type code not shaped as ZWFW C 0123', () => ({ typeCode: '1110000000001314330' }), /^CertificateTypeCode\(证照类型代码\): must be 18-character authority code \+ 3 digits/],
    ['a type the hub does not know', (i) => ({ typeCode: '111000000000131433099', sourceId: idFor(i, '111000000000131433099') }), /^CertificateTypeCode\(证照类型代码\): 111000000000131433099 is no certificate type of the hub/],
    ['a type name that is not the type code\'s', () => ({ typeName: '离婚证' }), /^CertificateType\(证照类型名称\): "离婚证" is not the name "结婚证"/],
    ['an issuer code failing its GB 32100 check character', () => ({ issuerCode: ISSUER.slice(0, 17) + (ISSUER[17] === '0' ? '1' : '0') }), /^IssueDeptCode\(证照颁发机构代码\): not a valid unified social credit code \(GB 32100\)/],
    ['a source ID that is no GB/T 36904 identifier', () => ({ sourceId: 'LOCAL-000123' }), /^CertificateSourceId\(电子证照源标识\): not a GB\/T 36904 identifier: must start with 1\.2\.156\.3005\.2\./],
    ['an identifier with a wrong check character', (i) => ({ sourceId: idFor(i).slice(0, -1) + (idFor(i).endsWith('0') ? '1' : '0') }), /^CertificateSourceId\(电子证照源标识\): .*check character does not match/],
    ['an identifier of another issuer', (i) => ({ sourceId: idFor(i, MARRIAGE, makeCreditCode('1', '1', '110105', '00000102X')) }), /^CertificateSourceId\(电子证照源标识\): .*must match the certificate type code and the issuer code/],
    ['a holder code type outside appendix B', () => ({ holderType: '123' }), /^CertificateHolderType\(持证主体代码类型\): 123 is not an appendix B code type/],
    ['no holder code type for a code that does not tell its own', () => ({ holderType: null, holderCode: 'E12345678' }), /^CertificateHolderType\(持证主体代码类型\): required when/],
    ['a citizen ID number failing its GB 11643 check digit', () => ({ holderCode: '110105194912310021' }), /^CertificateHolderCode\(持证主体代码\): citizen ID number fails its GB 11643 check/],
    ['a unified social credit code holder failing GB 32100', () => ({ holderType: '001', holderCode: '91350100M000100Y44' }), /^CertificateHolderCode\(持证主体代码\): unified social credit code fails its GB 32100 check character/],
    ['an issue date that is no date', () => ({ issueDate: '2023-02-30' }), /^IssueDate\(证照颁发日期\): not a date: 2023-02-30/],
    ['an issue date after the sync time', () => ({ issueDate: '2026-01-02' }), /^IssueDate\(证照颁发日期\): after the sync time 2026-01-01/],
    ['an area code not of six digits', () => ({ areaCode: '1101' }), /^CertificateAreaCode\(证照所属管辖属地编码\): must be a 6-digit GB\/T 2260 code/],
    ['an area code of no province', () => ({ areaCode: '990101' }), /^CertificateAreaCode\(证照所属管辖属地编码\): .*99 is no province-level division/],
    ['a DataSource that is not 0xx or 1xx', () => ({ dataSource: '211' }), /^DataSource\(数据来源\): must be three digits, the first 0 \(central department\) or 1 \(region\)/],
    ['a DataSource naming no province', () => ({ dataSource: '199' }), /^DataSource\(数据来源\): 199: 99 is no province-level GB\/T 2260 code/],
    ['a DataSource of another province than the area code', () => ({ dataSource: '131' }), /^DataSource\(数据来源\): 131 names another province than the area code 110105/],
  ];
  for (const [name, over, remark] of cases) test(`refused: ${name}`, () => rejects(over, remark));

  test('refused: a certificate another data source reported', async () => {
    const i = n++;
    await aggregate([catalogRow(i)]);
    const { errors } = await aggregate([catalogRow(i, { dataSource: '001', holderName: '冒名' })]);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.ErrorRemark, /^CertificateSourceId\(电子证照源标识\): already in the catalog from data source 111/);
    const c = await s.certs.get(idFor(i));
    assert.equal(c!.holder.name, `持证人${i}`, 'the owner\'s entry is untouched');
  });

  test('refused: a number another certificate of the type, issuer and version has (in the catalog and within a chunk)', async () => {
    const i = n++;
    const j = n++;
    const k = n++;
    await aggregate([catalogRow(i)]);
    const { errors } = await aggregate([
      catalogRow(j, { number: catalogRow(i).number }),
      catalogRow(k), catalogRow(k + 1000_000, { number: catalogRow(k).number }),
    ]);
    assert.equal(errors.length, 2);
    for (const e of errors) assert.match(e.ErrorRemark, /^CertificateNumber\(证照编号\): certificate 1\.2\.156\.3005\.2\.\S+ of the same type, issuer and version has this number/);
    assert.equal(await inCatalog(idFor(j)), false);
    assert.equal(await inCatalog(idFor(k)), true);
  });

  test('a long remark is cut to the 512 characters of ErrorRemark', () => {
    const p = catalogProblem('typeName', 'x'.repeat(600));
    assert.equal(p.remark.length, 512);
    assert.match(p.remark, /^CertificateType\(证照类型名称\): x+…$/);
  });
});
