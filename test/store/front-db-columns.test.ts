import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { openDb, type Db } from '../../src/store/db.js';
import { migrate, MIGRATIONS } from '../../src/store/migrate.js';
import { FrontDbRepo } from '../../src/store/front-db.js';
import { catalogRow } from '../support/catalog-rows.js';

/**
 * ZWFW C 0124 appendix H as the standard prints it (序号, 指标项, 字段名称, 类型(长度), 必填项, 备注;
 * tab-separated): the front DB's two tables must have exactly these columns, in this order, with
 * these types and NOT NULL where 必填项 is 是.
 */
const TABLE_H1 = `
1	主键	ID	bigint	是	自增长主键
2	电子证照源标识	CertificateSourceId	varchar(128)	是	业务主键-数据源方自定义的电子证照唯一标识，作为证照查询依据
3	证照名称	CertificateName	varchar(512)	是	
4	证照类型名称	CertificateType	varchar(256)	是	
5	证照类型代码	CertificateTypeCode	varchar(64)	是	
6	证照颁发机构	IssueDept	longtext	是	证照颁发机构名称
7	证照颁发机构代码	IssueDeptCode	longtext	是	证照颁发机构的统一社会信用代码
8	证照所属管辖属地编码	CertificateAreaCode	varchar(32)	是	证照颁发机构所属行政区划代码
9	持证主体	CertificateHolder	longtext	是	自然人姓名或法人名称
10	持证主体代码	CertificateHolderCode	longtext	是	
11	持证主体代码类型	CertificateHolderType	varchar(2000)	否	持证主体代码类型，参见附录 B
12	证照编号	CertificateNumber	varchar(128)	是	照面上显示的证照编号
13	证照颁发日期	IssueDate	varchar(32)	是	
14	同步类型	Cd_operation	varchar(2)	是	I-插入 U-更新 D-删除
15	同步时间	Cd_time	timestamp	是	
16	批次号	Cd_batch	varchar(32)	是	每次交换应唯一，用于数据对账
17	数据来源	DataSource	varchar(3)	是	数据来源由三位数字组成。其中，第1位填写：0或者1，0代表中央业务指导（实施）部门，1代表地方。当第1位填写0时，第2、3位填写“中央业务指导（实施）部门代码”代码集中对应的代码；当第1位填写1时，第2、3位填写“行政区划代码”代码集中对应的代码
`;
const TABLE_H2 = `
1	主键	ID	bigint	是	自增长主键
2	电子证照源标识	CertificateSourceId	varchar(128)	是	业务主键-数据源方自定义的电子证照唯一标识，作为证照查询依据
3	证照名称	CertificateName	varchar(512)	是	
4	证照类型名称	CertificateType	varchar(256)	是	
5	证照类型代码	CertificateTypeCode	varchar(64)	是	
6	证照颁发机构	IssueDept	longtext	是	证照颁发机构名称
7	证照颁发机构代码	IssueDeptCode	longtext	是	证照颁发机构的统一社会信用代码
8	证照所属管辖属地编码	CertificateAreaCode	varchar(32)	是	证照颁发机构所属行政区划代码
9	持证主体	CertificateHolder	longtext	是	自然人姓名或法人名称
10	持证主体代码	CertificateHolderCode	longtext	是	
11	持证主体代码类型	CertificateHolderType	varchar(2000)	否	持证主体代码类型，参见附录 B
12	证照编号	CertificateNumber	varchar(128)	是	照面上显示的证照编号
13	证照颁发日期	IssueDate	varchar(32)	是	
14	同步类型	cd_operation	varchar(2)	是	I-插入 U-更新 D-删除
15	同步时间	cd_time	timestamp	是	
16	异常说明	ErrorRemark	varchar(512)	是	简述数据校验失败原因
17	批次号	cd_batch	varchar(32)	是	每次交换应唯一，用于数据对账
18	数据来源	DataSource	varchar(3)	是	数据来源由三位数字组成。其中，第1位填写：0 或者 1，0 代表中央业务指导（实施）部门，1 代表地方。当第1位填写 0 时，第2、3 位填写“中央业务指导（实施）部门代码”代码集中对应的代码；当第1位填写 1 时，第2、3 位填写“行政区划代码”代码集中对应的代码
`;

interface Column { position: number; name: string; type: string; required: boolean }

/** The standard's rows, its types in PostgreSQL's words: longtext (MySQL's) is text, as migration 009 says. */
function standardColumns(table: string): Column[] {
  return table.trim().split('\n').map((line) => {
    const [n, , name, type, required] = line.split('\t');
    const varchar = /^varchar\((\d+)\)$/.exec(type!);
    const pgType = varchar ? `character varying(${varchar[1]})` : type === 'longtext' ? 'text' : type === 'timestamp' ? 'timestamp without time zone' : type!;
    return { position: Number(n), name: name!, type: pgType, required: required === '是' };
  });
}

async function actualColumns(db: Db, table: string): Promise<Column[]> {
  const rows = await db.query<{ position: number; name: string; data_type: string; len: number | null; is_nullable: string }>(
    `select ordinal_position as position, column_name as name, data_type, character_maximum_length as len, is_nullable
     from information_schema.columns where table_schema = 'front' and table_name = $1 order by ordinal_position`, [table]);
  return rows.map((r) => ({
    position: Number(r.position), name: r.name, type: r.len === null ? r.data_type : `${r.data_type}(${r.len})`, required: r.is_nullable === 'NO',
  }));
}

// Probed once, before any suite runs.
const pgSkip = await postgresSkip();

for (const name of BACKENDS) {
  describe(`front DB tables against appendix H (${name})`, async () => {
    const skip = name === 'postgres' ? pgSkip : false;
    let b: Backend;
    let db: Db;
    before(async () => {
      if (skip) return;
      b = await makeBackend(name);
      db = await openDb({ dataDir: b.dataDir, databaseUrl: b.databaseUrl });
      await migrate(db);
    });
    after(async () => {
      if (skip) return;
      await db.close();
      await b.cleanup();
    });

    test('lic_data has the columns of table H.1 and lic_data_error those of table H.2', { skip }, async () => {
      const h1 = standardColumns(TABLE_H1);
      const h2 = standardColumns(TABLE_H2);
      assert.equal(h1.length, 17);
      assert.equal(h2.length, 18);
      assert.deepEqual(h2[17], { position: 18, name: 'DataSource', type: 'character varying(3)', required: true });
      assert.deepEqual(await actualColumns(db, 'lic_data'), h1);
      assert.deepEqual(await actualColumns(db, 'lic_data_error'), h2);
    });

    test('a row the hub refuses keeps its DataSource in lic_data_error, and an exchange reads it back', { skip }, async () => {
      const front = new FrontDbRepo(db);
      const row = catalogRow(1, { dataSource: '132' });
      await db.transaction((tx) => front.insertRows(tx, [row]));
      const [stored] = await front.rows(db, 0, Number.MAX_SAFE_INTEGER, 10);
      await db.transaction((tx) => front.rejectRows(tx, [{ id: stored!.id, remark: 'CertificateName(证照名称): required' }]));
      const errors = await front.errors(db, 0, Number.MAX_SAFE_INTEGER, 10);
      assert.deepEqual(errors.map((e) => [e.sourceId, e.dataSource]), [[row.sourceId, '132']]);
      // The province side: what an exchange inserts keeps it too.
      await db.transaction((tx) => front.insertErrors(tx, [{ ...catalogRow(2, { dataSource: '011' }), remark: 'x' }]));
      assert.deepEqual((await front.listErrors({ all: true })).map((e) => e.dataSource), ['132', '011']);
    });

    test('migration 15 fills the rows already there: from their lic_data row, else 1 and the province', { skip }, async () => {
      await db.exec(`delete from front.lic_data_error; alter table front.lic_data_error drop column "DataSource"`);
      await db.query(`delete from schema_migrations where version = 15`);
      const front = new FrontDbRepo(db);
      const twin = catalogRow(3, { dataSource: '011' });
      await db.transaction((tx) => front.insertRows(tx, [twin]));
      const orphan = catalogRow(4, { areaCode: '320102' });
      for (const r of [twin, orphan]) {
        await db.query(
          `insert into front.lic_data_error ("CertificateSourceId", "CertificateName", "CertificateType", "CertificateTypeCode", "IssueDept",
             "IssueDeptCode", "CertificateAreaCode", "CertificateHolder", "CertificateHolderCode", "CertificateNumber", "IssueDate", cd_operation,
             cd_time, "ErrorRemark", cd_batch) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'x', $14)`,
          [r.sourceId, r.name, r.typeName, r.typeCode, r.issuerName, r.issuerCode, r.areaCode, r.holderName, r.holderCode, r.number, r.issueDate,
            r.operation, r.time, r.batch]);
      }
      assert.deepEqual(await migrate(db), [15]);
      assert.ok(MIGRATIONS.some((m) => m.version === 15 && m.name === 'lic-data-error-source'));
      const filled = await db.query<{ s: string; d: string }>(`select "CertificateSourceId" as s, "DataSource" as d from front.lic_data_error order by "ID"`);
      assert.deepEqual(filled.map((r) => [r.s, r.d]), [[twin.sourceId, '011'], [orphan.sourceId, '132']]);
    });
  });
}
