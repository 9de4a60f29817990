import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { startNode, cli, type RunningNode } from '../support/node-process.js';
import { hmacSm3 } from '../../src/crypto/sm3.js';
import { cstCompactDate } from '../../src/domain/dates.js';
import { formatCertificateId } from '../../src/domain/identifier.js';
import { makeCreditCode } from '../../src/domain/holder-code.js';

/**
 * Cross-region requests (ZWFW C 0124 5.2) through real node processes on loopback: a hub, province A
 * (Zhejiang, 330000, data source 133) and province B (Sichuan, 510000, data source 151), plus a member
 * "C" (Guangdong, 144) that accepts connections and never answers. The hub's catalog is loaded with
 * `import` records carrying their DataSource, as aggregation would leave it.
 */

const pgSkip = await postgresSkip();
const today = () => cstCompactDate(new Date());

const HOLDER = { certificateHolder: '张三', certificateHolderCode: '11010519491231002X', certificateHolderType: '111' };
const ISSUER_A = { issueDept: '杭州市西湖区民政局', issueDeptCode: makeCreditCode('1', '1', '330106', '002500287'), certificateAreaCode: '330106' };
const ISSUER_B = { issueDept: '成都市公安局交通管理局', issueDeptCode: makeCreditCode('1', '1', '510104', '006122244'), certificateAreaCode: '510104' };
const ISSUER_C = { issueDept: '广州市市场监督管理局', issueDeptCode: makeCreditCode('1', '1', '440106', '000100143'), certificateAreaCode: '440106' };
const MARRIAGE = '111000000000131433001';
const DRIVING = '11100000000019713D001';
const TRADE = '11100000MB0143028P001';
const id = (typeCode: string, issuerCode: string, serial: string) => formatCertificateId({ typeCode, issuerCode, serial, version: '001' });

const A1 = { certificateID: id(MARRIAGE, ISSUER_A.issueDeptCode, 'ZJ0001'), certificateType: '结婚证', certificateTypeCode: MARRIAGE, certificateName: '结婚证',
  ...HOLDER, ...ISSUER_A, certificateNumber: 'J330106-2014-000101', issueDate: '2014-03-04', certificateValidateEnd: '长期',
  surface: [{ name: '持证人', columnName: 'KZ_CZR', valueType: 'string', value: '张三' }] };
const B1 = { certificateID: id(DRIVING, ISSUER_B.issueDeptCode, 'SC0001'), certificateType: '中华人民共和国机动车驾驶证', certificateTypeCode: DRIVING,
  certificateName: '中华人民共和国机动车驾驶证', ...HOLDER, ...ISSUER_B, certificateNumber: '510104542338', issueDate: '2019-05-06',
  certificateValidateStart: '2019-05-06', certificateValidateEnd: '2031-05-06',
  surface: [{ name: '姓名', columnName: 'KZ_XM', valueType: 'string', value: '张三' }, { name: '准驾车型', columnName: 'KZ_ZJCX', valueType: 'string', value: 'C1' }],
  detail: [{ group: '记录', datalist: [{ name: '日期', columnName: 'KZ_RQ', valueType: 'string', value: '2020年', orderNum: '1' }] }] };
const B2 = { ...B1, certificateID: id(DRIVING, ISSUER_B.issueDeptCode, 'SC0002'), certificateNumber: '510104542339', status: 'abolished' };
const C1 = { certificateID: id(TRADE, ISSUER_C.issueDeptCode, 'GD0001'), certificateType: '营业执照', certificateTypeCode: TRADE, certificateName: '营业执照',
  ...HOLDER, ...ISSUER_C, certificateNumber: 'GD-2015-0001', issueDate: '2015-01-01' };

const HOP_TIMEOUT_HUB = 1500;
const HOP_TIMEOUT_A = 2500;

interface Account { id: string; secret: string }

/** The admin API of a running node, through the handle it keeps in its data directory. */
async function admin<T = any>(b: Backend, method: string, path: string, body?: unknown): Promise<T> {
  const h = JSON.parse(readFileSync(join(b.dataDir, 'secrets', 'node.json'), 'utf8')) as { url: string; token: string };
  const res = await fetch(`${h.url}/admin${path}`, {
    method, headers: { authorization: `Bearer ${h.token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${text}`);
  return (path === '/import' ? JSON.parse(text.trim().split('\n').pop()!) : JSON.parse(text)) as T;
}

async function importRecords(b: Backend, records: object[]): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'zz-fed-')), 'records.ndjson');
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const r = await admin<{ report: { inserted: number; rejected: number } }>(b, 'POST', '/import', { path: file });
  assert.equal(r.report.rejected, 0);
  assert.equal(r.report.inserted, records.length);
}

/** A national call as a calling system sends it (form-encoded, appendix C), with a correlation ID of the caller's choosing. */
async function national(base: string, name: string, account: Account, params: Record<string, string>, correlationId?: string) {
  const token = hmacSm3(Buffer.from(account.secret), account.id + today()).toString('hex');
  const started = Date.now();
  const res = await fetch(`${base}/elssp/v1/${name}`, {
    method: 'POST', body: new URLSearchParams({ AccountId: account.id, AccessToken: token, ...params }),
    headers: correlationId ? { 'x-correlation-id': correlationId } : {},
  });
  const json = (await res.json()) as { head: { status: string; message: string }; data?: any };
  return { ...json, ms: Date.now() - started, correlationId: res.headers.get('x-correlation-id') };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

type UsageRow = { interface: string; accountId: string | null; resultCode: string; correlationId: string | null; certificateIds: string[]; context: Record<string, string> | null };
const usageOf = async (b: Backend, correlationId: string) =>
  (await admin<UsageRow[]>(b, 'GET', '/usage?limit=500')).filter((r) => r.correlationId === correlationId);

for (const backendName of ['postgres'] as const) {
  const full = true;
  describe(`federation: hub, provinces A and B on loopback (${backendName})`, async () => {
    const skip = backendName === 'postgres' ? pgSkip : false;
    let hubB: Backend, aB: Backend, bB: Backend;
    let hub: RunningNode, a: RunningNode, b: RunningNode;
    let bPort: number;
    let aEnv: NodeJS.ProcessEnv;
    let bEnv: NodeJS.ProcessEnv;
    let clerk: Account;
    let hubAtB: Account;
    let silent: Server;
    const sockets = new Set<Socket>();

    before(async () => {
      if (skip) return;
      [hubB, aB, bB] = await Promise.all([makeBackend(backendName), makeBackend(backendName), makeBackend(backendName)]);
      hub = await startNode(hubB, ['--role', 'hub'], {
        ZHENGZHAO_HOP_TIMEOUT_MS: String(HOP_TIMEOUT_HUB), ZHENGZHAO_BREAKER_FAILURES: '3', ZHENGZHAO_BREAKER_COOLDOWN_MS: '4000',
      });
      assert.equal(hub.info.role, 'hub');
      // The accounts the provinces call the hub with (5.4 a: the hub makes them).
      const zj = await admin<Account>(hubB, 'POST', '/accounts', { id: 'zj-province', name: '浙江省电子证照共享服务系统' });
      const sc = await admin<Account>(hubB, 'POST', '/accounts', { id: 'sc-province', name: '四川省电子证照共享服务系统' });
      const province = (area: string, ds: string, acc: Account, timeout: number) => ({
        ZHENGZHAO_AREA_CODE: area, ZHENGZHAO_DATA_SOURCE: ds, ZHENGZHAO_HUB_URL: hub.baseUrl, ZHENGZHAO_HUB_ACCOUNT: acc.id,
        ZHENGZHAO_HUB_SECRET: acc.secret, ZHENGZHAO_HOP_TIMEOUT_MS: String(timeout),
      });
      bPort = await freePort();
      bEnv = province('510000', '151', sc, HOP_TIMEOUT_A);
      aEnv = province('330000', '133', zj, HOP_TIMEOUT_A);
      [a, b] = await Promise.all([startNode(aB, [], aEnv), startNode(bB, ['--port', String(bPort)], bEnv)]);
      assert.equal(a.info.areaCode, '330000');
      // The accounts the hub calls each province with, and a clerk's system at A.
      const hubAtA = await admin<Account>(aB, 'POST', '/accounts', { id: 'national-hub', name: '国家电子证照共享服务系统' });
      hubAtB = await admin<Account>(bB, 'POST', '/accounts', { id: 'national-hub', name: '国家电子证照共享服务系统' });
      clerk = await admin<Account>(aB, 'POST', '/accounts', { id: 'zj-clerk', name: '杭州市政务服务网' });
      const addB = cli(hubB, ['nodes', 'add', '--data-source', '151', '--name', '四川省', '--area', '510000', '--url', b.baseUrl,
        '--account', 'national-hub', '--secret', hubAtB.secret, '--inbound-account', 'sc-province', '--json']);
      assert.equal(addB.status, 0, addB.stderr);
      assert.equal(JSON.parse(addB.stdout).circuit, 'closed');
      await admin(hubB, 'POST', '/nodes', { dataSource: '133', name: '浙江省', areaCodes: ['330000'], baseUrl: a.baseUrl, accountId: 'national-hub', secret: hubAtA.secret, inboundAccount: 'zj-province' });
      // C accepts connections and never answers; it offers only the data call.
      silent = createServer((sock) => { sockets.add(sock); sock.on('close', () => sockets.delete(sock)); });
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
      await admin(hubB, 'POST', '/nodes', { dataSource: '144', name: '广东省', areaCodes: ['440000'], baseUrl: `http://127.0.0.1:${(silent.address() as { port: number }).port}`,
        accountId: 'national-hub', secret: 'x', services: ['GetCertificateDataByCertificateID'] });

      await importRecords(aB, [A1]);
      await importRecords(bB, [B1, B2]);
      // The hub's catalog, as aggregation fills it: every member's entries with their DataSource.
      await importRecords(hubB, [{ ...A1, dataSource: '133' }, { ...B1, dataSource: '151' }, { ...B2, dataSource: '151' }, { ...C1, dataSource: '144' }]);
    });
    after(async () => {
      if (skip) return;
      for (const s of sockets) s.destroy();
      silent?.close();
      await Promise.all([hub?.stop(), a?.stop(), b?.stop()]);
      await Promise.all([hubB?.cleanup(), aB?.cleanup(), bB?.cleanup()]);
    });

    test("B's certificate through A: retrieved with A's own, read unchanged, downloaded from B, verified; one correlation ID on A, hub and B", { skip }, async () => {
      const found = await national(a.baseUrl, 'Retrieval', clerk, { CertificateHolderCode: HOLDER.certificateHolderCode, UseFor: '办理户籍迁移' }, 'trace-retrieval');
      assert.equal(found.head.status, '0', found.head.message);
      assert.equal(found.correlationId, 'trace-retrieval');
      const ids = found.data.dataList.map((x: any) => x.certificateID);
      // A's own first, then the hub's catalog of every member (A's own entry not twice, the abolished B2 not at all).
      assert.deepEqual(ids, [A1.certificateID, B1.certificateID, C1.certificateID]);
      assert.equal(found.data.total, 3);
      assert.deepEqual(found.data.dataList[1], { certificateID: B1.certificateID, certificateType: B1.certificateType, issueDept: ISSUER_B.issueDept, certificateNumber: B1.certificateNumber, issueDate: '2019年5月6日' });

      const corr = `trace-data-${backendName}`;
      const viaA = await national(a.baseUrl, 'GetCertificateDataByCertificateID', clerk, { CertificateID: B1.certificateID, UseFor: '办理户籍迁移' }, corr);
      assert.equal(viaA.head.status, '0', viaA.head.message);
      // The owner's own answer, asked directly, is what reached the clerk.
      const direct = await national(b.baseUrl, 'GetCertificateDataByCertificateID', hubAtB, { CertificateID: B1.certificateID, UseFor: '办理户籍迁移' });
      assert.deepEqual(viaA.data, direct.data);
      assert.ok(viaA.data.dataList[0].digitalSign.length > 60);
      assert.equal(viaA.data.dataList[0].certificateValidateEnd, '2031年5月6日');

      // Every hop wrote its record under the clerk's correlation ID.
      const [onA, onHub, onB] = await Promise.all([usageOf(aB, corr), usageOf(hubB, corr), usageOf(bB, corr)]);
      assert.deepEqual(onA.map((r) => [r.accountId, r.resultCode, r.context?.relayedTo, r.certificateIds]), [['zj-clerk', '0', 'hub', [B1.certificateID]]]);
      assert.deepEqual(onHub.map((r) => [r.accountId, r.resultCode, r.context?.relayedTo, r.certificateIds]), [['zj-province', '0', '151', [B1.certificateID]]]);
      assert.deepEqual(onB.filter((r) => r.accountId === 'national-hub').map((r) => [r.interface, r.resultCode, r.context?.relayedTo, r.certificateIds]),
        [['GetCertificateDataByCertificateID', '0', undefined, [B1.certificateID]]]);

      // The download URL the clerk gets is B's own: B alone can open its ticket, so the file comes from B.
      const link = await national(a.baseUrl, 'GetCertificateFileByCertificateID', clerk, { CertificateID: B1.certificateID, UseFor: '办理户籍迁移' });
      assert.equal(link.head.status, '0', link.head.message);
      const fileUrl: string = link.data.dataList[0].fileUrl;
      assert.ok(fileUrl.startsWith(`${b.baseUrl}/files/`), fileUrl);
      const file = await fetch(fileUrl);
      assert.equal(file.status, 200);
      assert.equal(Buffer.from(await file.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');

      const claim = { certificateType: B1.certificateType, certificateNumber: B1.certificateNumber, certificateHolder: '张三', certificateHolderCode: HOLDER.certificateHolderCode,
        issueDept: ISSUER_B.issueDept, issueDate: '2019年5月6日' };
      const verified = await national(a.baseUrl, 'VerifyCertificate', clerk, { CertificateHolderCode: HOLDER.certificateHolderCode, CertificateData: JSON.stringify(claim), UseFor: '核验' });
      assert.deepEqual([verified.head.status, verified.data?.verifyResult], ['0', 'true']);
      const forged = await national(a.baseUrl, 'VerifyCertificate', clerk, { CertificateHolderCode: HOLDER.certificateHolderCode, CertificateData: JSON.stringify({ ...claim, certificateHolder: '李四' }), UseFor: '核验' });
      assert.deepEqual([forged.head.status, forged.data?.verifyResult], ['0', 'false']);

      // By holder and type: A has no such type, the hub's catalog names B, B answers.
      const byHolder = await national(a.baseUrl, 'GetCertificateDataByHolder', clerk, { CertificateHolderCode: HOLDER.certificateHolderCode, CertificateType: B1.certificateType, UseFor: '办理户籍迁移' });
      assert.equal(byHolder.head.status, '0', byHolder.head.message);
      assert.deepEqual(byHolder.data.dataList.map((x: any) => x.certificateID), [B1.certificateID]);
    });

    test('an abolished certificate of B answers 21 through A; an ID of A\'s own area is answered by A alone', { skip }, async () => {
      const r = await national(a.baseUrl, 'GetCertificateDataByCertificateID', clerk, { CertificateID: B2.certificateID, UseFor: '办理户籍迁移' });
      assert.equal(r.head.status, '21');
      const own = await national(a.baseUrl, 'GetCertificateDataByCertificateID', clerk, { CertificateID: id(MARRIAGE, ISSUER_A.issueDeptCode, 'ZJ9999'), UseFor: '办理户籍迁移' }, 'trace-own');
      assert.equal(own.head.status, '10');
      assert.deepEqual(await usageOf(hubB, 'trace-own'), [], 'the hub was not asked');
    });

    test('an interface the owner does not offer answers 2, at once; an owner that does not answer gives 1 within the hub\'s timeout', { skip: skip || !full }, async () => {
      const file = await national(a.baseUrl, 'GetCertificateFileByCertificateID', clerk, { CertificateID: C1.certificateID, UseFor: '办理' });
      assert.equal(file.head.status, '2');
      assert.match(file.head.message, /^证照源未提供此服务接口: 144 does not offer this interface/);
      assert.ok(file.ms < 1000, `${file.ms} ms`);
      const data = await national(a.baseUrl, 'GetCertificateDataByCertificateID', clerk, { CertificateID: C1.certificateID, UseFor: '办理' });
      assert.equal(data.head.status, '1');
      assert.match(data.head.message, /^第三方接口连接超时: node 144 \(广东省\) did not answer within 1500 ms/);
      assert.ok(data.ms >= HOP_TIMEOUT_HUB - 100 && data.ms < HOP_TIMEOUT_A, `${data.ms} ms`);
    });

    test('stop B: A gets 1 within its timeout; the circuit opens after 3 failures, answers 1 at once, and closes once B is back', { skip }, async () => {
      await b.stop();
      const ask = () => national(a.baseUrl, 'GetCertificateDataByCertificateID', clerk, { CertificateID: B1.certificateID, UseFor: '办理户籍迁移' });
      const first = await ask();
      assert.equal(first.head.status, '1');
      assert.match(first.head.message, /node 151 \(四川省\) cannot be reached: ECONNREFUSED/);
      assert.ok(first.ms < HOP_TIMEOUT_A, `${first.ms} ms`);
      if (!full) { b = await startNode(bB, ['--port', String(bPort)], bEnv); return; }
      for (let i = 0; i < 2; i++) assert.equal((await ask()).head.status, '1');
      const open = await ask();
      assert.equal(open.head.status, '1');
      assert.match(open.head.message, /node 151 \(四川省\): circuit open after 3 failed calls in a row/);
      const circuit = async () => (await admin<any[]>(hubB, 'GET', '/nodes')).find((n) => n.dataSource === '151').circuit;
      assert.equal(await circuit(), 'open');

      b = await startNode(bB, ['--port', String(bPort)], bEnv);
      // After the cool-down (4 s) the next call is the trial.
      for (let i = 0; i < 100 && (await circuit()) === 'open'; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await circuit(), 'half-open');
      const back = await ask();
      assert.equal(back.head.status, '0', back.head.message);
      assert.equal((await admin<any[]>(hubB, 'GET', '/nodes')).find((n) => n.dataSource === '151').circuit, 'closed');
    });

    test('sync-types: A takes the hub\'s certificate types into its catalog', { skip: skip || !full }, async () => {
      const before = (await admin<{ code: string }[]>(aB, 'GET', '/types')).map((t) => t.code);
      assert.deepEqual(before, [MARRIAGE]);
      // The command opens A's database itself, so it takes A's settings (its hub) as A does: from the environment.
      const r = cli(aB, ['sync-types', '--json'], undefined, aEnv);
      assert.equal(r.status, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.equal(report.fetched, 3);
      assert.deepEqual(report.inserted.sort(), [DRIVING, TRADE].sort());
      assert.equal(report.unchanged + report.updated.length, 1);
      const types = await admin<{ code: string; name: string; status: string }[]>(aB, 'GET', '/types');
      assert.deepEqual(types.map((t) => [t.code, t.status]).sort(), [[MARRIAGE, 'published'], [DRIVING, 'published'], [TRADE, 'published']].sort());
      const again = JSON.parse(cli(aB, ['sync-types', '--json'], undefined, aEnv).stdout);
      assert.deepEqual([again.inserted, again.updated, again.unchanged], [[], [], 3]);
    });

    test('nodes list and remove: calls for a removed node\'s certificates answer 2', { skip: skip || !full }, async () => {
      const listed = cli(hubB, ['nodes', 'list', '--json']);
      assert.equal(listed.status, 0, listed.stderr);
      const nodes = JSON.parse(listed.stdout);
      assert.deepEqual(nodes.map((n: any) => [n.dataSource, n.inboundAccount ?? null, n.services, n.hasSecret, n.secret]),
        [['133', 'zj-province', [], true, undefined], ['144', null, ['GetCertificateDataByCertificateID'], true, undefined], ['151', 'sc-province', [], true, undefined]]);
      const removed = cli(hubB, ['nodes', 'remove', '144']);
      assert.equal(removed.status, 0, removed.stderr);
      // The command ran in its own process: the hub reads its registry again within 5 s.
      let r: any;
      for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((res) => setTimeout(res, 500))) {
        r = await national(a.baseUrl, 'GetCertificateDataByCertificateID', clerk, { CertificateID: C1.certificateID, UseFor: '办理' });
        if (r.head.status === '2') break;
      }
      assert.equal(r.head.status, '2');
      assert.match(r.head.message, /no member node is registered for data source 144/);
    });
  });
}
