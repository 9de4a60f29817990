import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { startNode, cli, type RunningNode } from '../support/node-process.js';
import { makeCitizenId, makeCreditCode } from '../../src/domain/holder-code.js';

const pgSkip = await postgresSkip();

const TYPE = '111000000000131433001';
const ITEM = { code: '110103MZ001', name: '婚姻登记', org: '北京市西城区民政局', orgCode: makeCreditCode('1', '1', '110102', '00000201X') };
const FIELDS = [
  'CZR:持证人:required:role=holderName', 'CYRSFZJHM:持有人身份证件号码:required:sensitive:role=holderCode', 'CYRSFZJLX:持有人身份证件类型',
  'CZRXB:持证人性别', 'CZRGJ:持证人国籍', 'CZRCSRQ:持证人出生日期', 'POXM:配偶姓名', 'POSFZJH:配偶身份证件号:sensitive', 'POSFZJLX:配偶身份证件类型',
  'POXB:配偶性别', 'POGJ:配偶国籍', 'POCSRQ:配偶出生日期', 'JHZZH:结婚证字号:required:role=number', 'FZRQ:发证日期:role=issueDate',
  'YXQJSRQ:有效期结束日期:role=validTo', 'FZJGMC:发证机关名称', 'FZJGZZJGDM:发证机关组织机构代码', 'FZJGSSXZQHDM:发证机关所属行政区划代码:role=areaCode',
  'HYDJY:婚姻登记员', 'ZZMC:证照名称', 'BZ:备注', 'ZP:照片:picture',
];

/**
 * The request of F.1, corrected where the example is broken: its JSON closes `licenses` after the
 * first item, the second item writes "ZF" for "ZP", and the masked identity numbers (110103*****)
 * are replaced by valid ones. Both items keep the example's one certificate number, so the second
 * is refused as a duplicate, which shows the per-item report.
 */
function f1Request(holder: string, spouse: string) {
  const item = (over: Record<string, string>) => ({
    data_fields: {
      FZRQ: '2020-02-14', POXM: 'bbb', FZJGSSXZQHDM: '110103', ZP: '', POGJ: '中国', CZRCSRQ: '1992-02-14', CZRXB: '男', JHZZH: 'J110103-2020-000002',
      CYRSFZJLX: '10', FZJGMC: '北京市XX局', HYDJY: '张彬', YXQJSRQ: '', CZRGJ: '中国', CYRSFZJHM: holder, POSFZJLX: '10', POCSRQ: '1992-01-01',
      POXB: '女', CZR: 'aaa', FZJGZZJGDM: '1100A1000000', BZ: '', ZZMC: 'XX证', POSFZJH: spouse, ...over,
    },
    license_group: '1',
  });
  return {
    data: {
      licenses: [item({}), item({ CZRCSRQ: '1992-01-01' })],
      operator: { division_code: '110000', service_org: '北京市XX局', division: '北京市', identity_num: '', account: '110000_zhangbin', role: '内地居民婚姻登记角色', name: '张彬' },
      service_item_code: ITEM.code,
      service_item_name: ITEM.name,
      biz_num: '20200721123',
    },
  };
}
const OPERATOR = f1Request('', '').data.operator;
const common = { service_item_code: ITEM.code, service_item_name: ITEM.name, biz_num: '20200721123', operator: OPERATOR };
const HOLDER = makeCitizenId('110103', '19920214', 17);
const SPOUSE = makeCitizenId('110102', '19920101', 28);

async function setUp(b: Backend, node: RunningNode): Promise<(path: string, body?: unknown) => Promise<any>> {
  const app = JSON.parse(cli(b, ['apps', 'add', '--name', '批量制证']).stdout);
  for (const args of [
    ['users', 'add', '--account', 'bj_batch', '--name', '张彬', '--password', 'abc12345'],
    ['types', 'add', '--code', TYPE, '--name', '结婚证', '--field', ...FIELDS],
    ['items', 'add', '--code', ITEM.code, '--name', ITEM.name, '--org-name', ITEM.org, '--org-code', ITEM.orgCode, '--type', TYPE],
  ]) {
    const r = cli(b, args);
    assert.equal(r.status, 0, r.stderr);
  }
  const api = `${node.baseUrl}/beijing/api`;
  const login = await fetch(`${api}/security/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ app_key: app.appKey, app_secret: app.appSecret, account: 'bj_batch', password: 'abc12345' }),
  });
  const token = ((await login.json()) as any).access_token;
  return async (path: string, body?: unknown) => {
    const res = await fetch(`${node.baseUrl}/beijing/api${path}${path.includes('?') ? '&' : '?'}access_token=${token}`, body === undefined ? {} : {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { http: res.status, ...((await res.json()) as any) };
  };
}

for (const name of BACKENDS) {
  describe(`Beijing batch create and sign over HTTP (${name})`, async () => {
    const skip = name === 'postgres' ? pgSkip : false;
    let b: Backend;
    let node: RunningNode;
    let call: Awaited<ReturnType<typeof setUp>>;

    before(async () => {
      if (skip) return;
      b = await makeBackend(name);
      node = await startNode(b);
      call = await setUp(b, node);
    });
    after(async () => {
      if (skip) return;
      await node.stop();
      await b.cleanup();
    });

    test('F.1 and F.2: per-item results, by license codes and by division', { skip }, async () => {
      const req = f1Request(HOLDER, SPOUSE);
      req.data.licenses.push({ data_fields: { ...req.data.licenses[0]!.data_fields, JHZZH: 'J110103-2020-000003', CYRSFZJHM: '110103199202140000' }, license_group: '1' });
      req.data.licenses.push({ data_fields: { ...req.data.licenses[0]!.data_fields, JHZZH: 'J110103-2020-000004' }, license_group: '1' });
      const made = await call(`/license/${TYPE}/batch_create`, req);
      assert.equal(made.ack_code, 'SUCCESS', JSON.stringify(made));
      const codes = made.data.license_codes;
      assert.equal(codes.length, 4);
      assert.match(codes[0], /^1\.2\.156\.3005\.2\./);
      assert.deepEqual(codes[1], { index: 1, result_code: 'createFail', result_msg: '同一证照号码的电子证照已存在：J110103-2020-000002' });
      assert.equal(codes[2].result_code, 'createFail');
      assert.match(codes[2].result_msg, /CYRSFZJHM/);
      assert.match(codes[3], /^1\.2\.156\.3005\.2\./);

      // F.2's shape: objects with license_code (its trailing spaces included), one of them unknown.
      const signed = await call(`/license/${TYPE}/batch_sign`, { data: { ...common, license_codes: [{ license_code: `${codes[0]} ` }, { license_code: '1100002020000046CY' }] } });
      assert.equal(signed.ack_code, 'SUCCESS', JSON.stringify(signed));
      assert.deepEqual(signed.data.result, [
        { license_code: codes[0], result_msg: 'SUCCESS', result_code: 'signSuccess' },
        { license_code: '1100002020000046CY', result_msg: '找不到需要签名的电子证照', result_code: 'signFail' },
      ]);
      const byDivision = await call(`/license/${TYPE}/batch_sign`, { data: { ...common, division_code: '110000' } });
      assert.deepEqual(byDivision.data.result, [{ license_code: codes[3], result_msg: 'SUCCESS', result_code: 'signSuccess' }]);
      // Table 12: result is List<BatchSignResult>; a division with nothing left to sign gives an empty one, not an error.
      const nothingLeft = await call(`/license/${TYPE}/batch_sign`, { data: { ...common, division_code: '110000' } });
      assert.equal(nothingLeft.ack_code, 'SUCCESS', JSON.stringify(nothingLeft));
      assert.deepEqual(nothingLeft.data.result, []);
      assert.deepEqual({ ...(await call(`/license/batch/${nothingLeft.data.batch_id}`)).data, batch_id: undefined },
        { batch_id: undefined, kind: 'sign', license_item_code: TYPE, total: 0, done: 0, state: 'FINISHED' });
      const again = await call(`/license/${TYPE}/batch_sign`, { data: { ...common, license_codes: [codes[0]] } });
      assert.equal(again.data.result[0].result_code, 'signFail', 'nothing is signed twice');

      const progress = await call(`/license/batch/${signed.data.batch_id}`);
      assert.deepEqual({ ...progress.data, batch_id: undefined }, { batch_id: undefined, kind: 'sign', license_item_code: TYPE, total: 2, done: 2, state: 'FINISHED' });
      const none = await call(`/license/${TYPE}/batch_sign`, { data: { ...common } });
      assert.equal(none.errors[0].code, 'INVALID_ARGUMENT');
      const empty = await call(`/license/${TYPE}/batch_create`, { data: { ...common, licenses: [] } });
      assert.equal(empty.errors[0].code, 'INVALID_ARGUMENT');
      const unknown = await call('/license/batch/00000000-0000-0000-0000-000000000000');
      assert.equal(unknown.errors[0].code, 'INVALID_ARGUMENT');
    });
  });
}

describe('a batch sign killed with SIGKILL resumes on restart and signs nothing twice (postgres)', async () => {
  const skip = pgSkip;
  let b: Backend;

  before(async () => {
    if (skip) return;
    b = await makeBackend('postgres');
  });
  after(async () => {
    if (skip) return;
    await b.cleanup();
  });

  test('3,000 drafts, killed mid-way', { skip, timeout: 300_000 }, async () => {
    let node = await startNode(b);
    const call = await setUp(b, node);
    const N = 3000;
    const licenses = Array.from({ length: N }, (_, i) => ({
      data_fields: { CZR: `持证人${i}`, CYRSFZJHM: makeCitizenId('110105', `${1980 + Math.floor(i / 1000)}0101`, i % 1000), JHZZH: `J110105-2026-${String(i).padStart(6, '0')}`, FZRQ: '2026-11-01' },
    }));
    const made = await call(`/license/${TYPE}/batch_create`, { data: { ...common, licenses } });
    assert.equal(made.ack_code, 'SUCCESS');
    assert.equal(made.data.license_codes.filter((c: unknown) => typeof c === 'string').length, N);

    // Start signing every draft of the division, and kill the node once some chunks have committed.
    const inFlight = call(`/license/${TYPE}/batch_sign`, { data: { ...common, division_code: '110000' } }).catch((e: Error) => e);
    const db = new pg.Client({ connectionString: b.databaseUrl });
    await db.connect();
    try {
      let done = 0;
      for (let i = 0; i < 600 && (done === 0 || done >= N); i++) {
        await new Promise((r) => setTimeout(r, 50));
        done = (await db.query(`select coalesce(max(done), 0)::int as d from batch_jobs where kind = 'sign'`)).rows[0].d;
      }
      assert.ok(done > 0 && done < N, `the kill lands mid-way (done ${done})`);
      node.process.kill('SIGKILL');
      assert.ok((await inFlight) instanceof Error, 'the caller saw the connection drop');
      const atKill = (await db.query(`select count(*)::int as n from certificates where status = 'issued'`)).rows[0].n;
      assert.ok(atKill > 0 && atKill < N);

      node = await startNode(b);
      let state = '';
      for (let i = 0; i < 1200 && state !== 'finished'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        state = (await db.query(`select state from batch_jobs where kind = 'sign'`)).rows[0].state;
      }
      assert.equal(state, 'finished');
      const job = (await db.query(`select total, done from batch_jobs where kind = 'sign'`)).rows[0];
      assert.deepEqual(job, { total: N, done: N });
      assert.equal((await db.query(`select count(*)::int as n from certificates where status = 'issued'`)).rows[0].n, N);
      assert.equal((await db.query(`select count(*)::int as n from certificates where status = 'issued' and digital_sign is null`)).rows[0].n, 0);
      const twice = await db.query(`select certificate_id from certificate_events where action = 'sign' group by 1 having count(*) > 1`);
      assert.equal(twice.rows.length, 0, 'no certificate was signed twice');
      assert.equal((await db.query(`select count(*)::int as n from certificate_events where action = 'sign'`)).rows[0].n, N);
      const results = await db.query(`select result_code, count(*)::int as n from batch_job_items i join batch_jobs j on j.id = i.job_id where j.kind = 'sign' group by 1`);
      assert.deepEqual(results.rows, [{ result_code: 'ok', n: N }]);
    } finally {
      await db.end();
      await node.stop();
    }
  });
});
