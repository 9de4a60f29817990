import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
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
 * Every dialect's cross-region reach through the one engine (src/core/reach), with real node
 * processes on loopback: a hub; province A (Shandong, 370000, data source 137) serving Zaozhuang's
 * province level and Sichuan's interface beside the national one; province B (Sichuan, 510000, data
 * source 151) holding the certificate; and city C (Zaozhuang, 370400) under A. One set of processes
 * serves every case: first the calls that cross, then the owner down, the hub down, and the city's
 * circuit to its province opening and recovering.
 */

const pgSkip = await postgresSkip();
const today = () => cstCompactDate(new Date());

const HOLDER = { certificateHolder: '张三', certificateHolderCode: '11010519491231002X', certificateHolderType: '111' };
const ISSUER_B = { issueDept: '成都市公安局交通管理局', issueDeptCode: makeCreditCode('1', '1', '510104', '006122244'), certificateAreaCode: '510104' };
const DRIVING = '11100000000019713D001';
const B1 = {
  certificateID: formatCertificateId({ typeCode: DRIVING, issuerCode: ISSUER_B.issueDeptCode, serial: 'SC0101', version: '001' }),
  certificateType: '中华人民共和国机动车驾驶证', certificateTypeCode: DRIVING, certificateName: '中华人民共和国机动车驾驶证', ...HOLDER, ...ISSUER_B,
  certificateNumber: '510104542338', issueDate: '2019-05-06', certificateValidateStart: '2019-05-06', certificateValidateEnd: '2031-05-06',
  surface: [{ name: '姓名', columnName: 'KZ_XM', valueType: 'string', value: '张三' }],
};
const ZZ_ROOT = '/license-api-release';
const ZZ_API = `${ZZ_ROOT}/m/v/license/external/api`;
const CALLER = { certificateSystemName: 'XXXX 服务平台', certificateCallCategory: '0', certificateMatterName: '异地驾驶证核验', certificateEventCode: '1137000000450258552372014020002',
  certificateCopyCause: '跨省通办，需要用到驾驶证数据' };
const BREAKER_COOLDOWN_MS = 3000;

interface Account { id: string; secret: string }
type UsageRow = { dialect: string; interface: string; resultCode: string; correlationId: string | null; certificateIds: string[]; context: Record<string, string> | null };

const handleOf = (b: Backend) => JSON.parse(readFileSync(join(b.dataDir, 'secrets', 'node.json'), 'utf8')) as { url: string; token: string };

async function admin<T = any>(b: Backend, method: string, path: string, body?: unknown): Promise<T> {
  const h = handleOf(b);
  const res = await fetch(`${h.url}/admin${path}`, {
    method, headers: { authorization: `Bearer ${h.token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${text}`);
  return (path === '/import' ? JSON.parse(text.trim().split('\n').pop()!) : JSON.parse(text)) as T;
}

async function importRecords(b: Backend, records: object[]): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'zz-reach-')), 'records.ndjson');
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const r = await admin<{ report: { inserted: number; rejected: number } }>(b, 'POST', '/import', { path: file });
  assert.equal(r.report.inserted, records.length);
}

const usageOf = async (b: Backend, correlationId: string) =>
  (await admin<UsageRow[]>(b, 'GET', '/usage?limit=500')).filter((r) => r.correlationId === correlationId);

const tokenOf = (a: Account) => hmacSm3(Buffer.from(a.secret), a.id + today()).toString('hex');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('one engine between nodes: every dialect reaches other regions (postgres)', { skip: pgSkip }, () => {
  let hubB: Backend, aB: Backend, bB: Backend, cB: Backend;
  let hub: RunningNode, a: RunningNode, b: RunningNode, c: RunningNode;
  let aPort: number;
  let aEnv: NodeJS.ProcessEnv;
  let sichuanSystem: Account;
  let zzClerk = '';

  /** A Zaozhuang call with a caller's correlation ID; level 0 (province) unless told. */
  const zz = async (base: string, name: string, body: Record<string, unknown>, correlationId: string) => {
    const res = await fetch(`${base}${ZZ_API}/${name}`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
      body: JSON.stringify({ access_token: zzClerk, interfaceType: '0', ...CALLER, ...body }),
    });
    return (await res.json()) as { head: { status: string | number; message: string; type?: string }; data?: any };
  };

  before(async () => {
    [hubB, aB, bB, cB] = await Promise.all([makeBackend('postgres'), makeBackend('postgres'), makeBackend('postgres'), makeBackend('postgres')]);
    hub = await startNode(hubB, ['--role', 'hub']);
    const sd = await admin<Account>(hubB, 'POST', '/accounts', { id: 'sd-province', name: '山东省电子证照共享服务系统' });
    const sc = await admin<Account>(hubB, 'POST', '/accounts', { id: 'sc-province', name: '四川省电子证照共享服务系统' });
    const province = (area: string, ds: string, acc: Account) => ({
      ZHENGZHAO_AREA_CODE: area, ZHENGZHAO_DATA_SOURCE: ds, ZHENGZHAO_HUB_URL: hub.baseUrl, ZHENGZHAO_HUB_ACCOUNT: acc.id, ZHENGZHAO_HUB_SECRET: acc.secret,
    });
    aPort = await freePort();
    aEnv = province('370000', '137', sd);
    [a, b] = await Promise.all([startNode(aB, ['--port', String(aPort)], aEnv), startNode(bB, [], province('510000', '151', sc))]);
    const hubAtA = await admin<Account>(aB, 'POST', '/accounts', { id: 'national-hub', name: '国家电子证照共享服务系统' });
    const hubAtB = await admin<Account>(bB, 'POST', '/accounts', { id: 'national-hub', name: '国家电子证照共享服务系统' });
    await admin(hubB, 'POST', '/nodes', { dataSource: '137', name: '山东省', areaCodes: ['370000'], baseUrl: a.baseUrl, accountId: 'national-hub', secret: hubAtA.secret, inboundAccount: 'sd-province' });
    await admin(hubB, 'POST', '/nodes', { dataSource: '151', name: '四川省', areaCodes: ['510000'], baseUrl: b.baseUrl, accountId: 'national-hub', secret: hubAtB.secret, inboundAccount: 'sc-province' });
    await importRecords(bB, [B1]);
    await importRecords(hubB, [{ ...B1, dataSource: '151' }]);
    // A names types as the hub's catalog does (F.3), so a call by type code can go on by name.
    const synced = cli(aB, ['sync-types', '--json'], undefined, aEnv);
    assert.equal(synced.status, 0, synced.stderr);

    // A's callers: a system on its Sichuan-shaped interface, a Zaozhuang clerk, and the city's account there.
    sichuanSystem = await admin<Account>(aB, 'POST', '/accounts', { id: 'sd-system', name: '济南市政务服务系统' });
    for (const args of [
      ['oauth-clients', 'add', '--id', 'xxxx-oauth', '--name', '业务系统', '--secret', 'xxxx-mobile'],
      ['oauth-users', 'add', '--username', 'sd_clerk', '--name', '省人社厅', '--role', 'retrieve', 'download', 'info', 'view', '--password', 'clerk-pass-12'],
      ['oauth-clients', 'add', '--id', 'city-oauth', '--name', '枣庄市电子证照共享服务平台', '--secret', 'city-secret-1'],
      ['oauth-users', 'add', '--username', 'zaozhuang_city', '--name', '枣庄市', '--role', 'retrieve', 'download', 'info', 'view', '--password', 'city-pass-12'],
    ]) assert.equal(cli(aB, args).status, 0);
    c = await startNode(cB, [], {
      ZHENGZHAO_AREA_CODE: '370400', ZHENGZHAO_ZAOZHUANG_LEVEL: 'city', ZHENGZHAO_ZAOZHUANG_PROVINCE_URL: `${a.baseUrl}${ZZ_ROOT}`,
      ZHENGZHAO_ZAOZHUANG_PROVINCE_CLIENT_ID: 'city-oauth', ZHENGZHAO_ZAOZHUANG_PROVINCE_CLIENT_SECRET: 'city-secret-1',
      ZHENGZHAO_ZAOZHUANG_PROVINCE_USERNAME: 'zaozhuang_city', ZHENGZHAO_ZAOZHUANG_PROVINCE_PASSWORD: 'city-pass-12',
      ZHENGZHAO_BREAKER_FAILURES: '2', ZHENGZHAO_BREAKER_COOLDOWN_MS: String(BREAKER_COOLDOWN_MS),
    });
    for (const args of [
      ['oauth-clients', 'add', '--id', 'xxxx-oauth', '--name', '业务系统', '--secret', 'xxxx-mobile'],
      ['oauth-users', 'add', '--username', 'zz_clerk', '--name', '市人社局', '--role', 'retrieve', 'download', 'info', 'view', '--password', 'clerk-pass-12'],
    ]) assert.equal(cli(cB, args).status, 0);
    // One clerk name and password on both: the same token request works at A and at C.
    const login = async (base: string, username: string) => {
      const res = await fetch(`${base}${ZZ_ROOT}/oauth/token`, {
        method: 'POST', body: new URLSearchParams({ client_id: 'xxxx-oauth', client_secret: 'xxxx-mobile', grant_type: 'password', scope: 'read write', username, password: 'clerk-pass-12' }),
      });
      return ((await res.json()) as { access_token: string }).access_token;
    };
    zzClerk = await login(a.baseUrl, 'sd_clerk');
    cityClerk = await login(c.baseUrl, 'zz_clerk');
  });
  let cityClerk = '';
  const zzCity = (name: string, body: Record<string, unknown>, correlationId: string) => {
    const held = zzClerk;
    zzClerk = cityClerk;
    return zz(c.baseUrl, name, body, correlationId).finally(() => { zzClerk = held; });
  };

  after(async () => {
    await Promise.all([hub?.stop(), a?.stop(), b?.stop(), c?.stop()]);
    await Promise.all([hubB?.cleanup(), aB?.cleanup(), bB?.cleanup(), cB?.cleanup()]);
  });

  test('Sichuan VerifyCertificate at A: another province\'s certificate verifies through the hub, as the national interface does', async () => {
    const claim = { certificateType: B1.certificateType, certificateName: B1.certificateName, certificateNumber: B1.certificateNumber,
      certificateHolder: HOLDER.certificateHolder, issueDept: ISSUER_B.issueDept, issueDeptCode: ISSUER_B.issueDeptCode, issueDate: '2019-05-06' };
    const verify = async (data: Record<string, unknown>) => (await (await fetch(`${a.baseUrl}/sichuan/v1/VerifyCertificate`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ head: { accountId: sichuanSystem.id, accessToken: tokenOf(sichuanSystem) }, CertificateHolderCode: HOLDER.certificateHolderCode,
        CertificateHolderType: '111', UseFor: '03', CertificateData: data }),
    })).json()) as { ifResult: string; VerifyResult?: string; msgId?: string };
    const ok = await verify(claim);
    assert.equal(ok.ifResult, '0', JSON.stringify(ok));
    assert.equal(ok.VerifyResult, 'true');
    const nationalRes = await fetch(`${a.baseUrl}/elssp/v1/VerifyCertificate`, {
      method: 'POST', body: new URLSearchParams({ AccountId: sichuanSystem.id, AccessToken: tokenOf(sichuanSystem), UseFor: '核验', CertificateHolderCode: HOLDER.certificateHolderCode,
        CertificateHolderType: '111', CertificateData: JSON.stringify({ ...claim, certificateHolderCode: HOLDER.certificateHolderCode }) }),
    });
    const national = await nationalRes.json() as { head: { status: string }; data?: { verifyResult: string } };
    assert.equal(nationalRes.headers.get('x-zhengzhao-path'), 'hub', 'the engine reports the way: not held here, asked of the hub');
    assert.equal(national.data?.verifyResult, 'true', 'the national interface on the same node agrees');
    assert.equal((await verify({ ...claim, certificateHolder: '李四' })).VerifyResult, 'false', 'the owner denies a wrong holder name');
    // msgId is the correlation ID: A recorded the hop, the hub and B the call.
    const [onA, onHub, onB] = await Promise.all([usageOf(aB, ok.msgId!), usageOf(hubB, ok.msgId!), usageOf(bB, ok.msgId!)]);
    assert.ok(onA.some((r) => r.context?.relayedTo === 'hub' && r.resultCode === '0'), JSON.stringify(onA));
    assert.ok(onHub.some((r) => r.context?.relayedTo === '151'), JSON.stringify(onHub));
    assert.deepEqual(onB.map((r) => [r.interface, r.resultCode]), [['VerifyCertificate', '0']]);
  });

  test('Zaozhuang province level at A goes through the hub; at city C through A, then the hub: one correlation ID on every node', async () => {
    const atA = await zz(a.baseUrl, 'ShareQueryCertInfo', { certificateID: B1.certificateID }, 'zz-province');
    assert.equal(String(atA.head.status), '0', atA.head.message);
    assert.equal(atA.data.dataList[0].certIdentifier ?? atA.data.dataList[0].cert_identifier, B1.certificateID);

    const corr = 'zz-city-to-hub';
    const atC = await zzCity('ShareQueryCertInfo', { certificateID: B1.certificateID }, corr);
    assert.equal(String(atC.head.status), '0', atC.head.message);
    assert.equal(String(atC.head.type), '1', 'province-level data');
    assert.deepEqual(atC.data, atA.data, 'the city passes on what its province answered');
    const [onC, onA, onHub, onB] = await Promise.all([usageOf(cB, corr), usageOf(aB, corr), usageOf(hubB, corr), usageOf(bB, corr)]);
    assert.deepEqual(onC.map((r) => [r.dialect, r.context?.relayedTo, r.resultCode, r.certificateIds]), [['zaozhuang', 'province', '0', [B1.certificateID]]]);
    assert.deepEqual(onA.map((r) => [r.dialect, r.context?.relayedTo, r.resultCode]), [['zaozhuang', 'hub', '0']]);
    assert.deepEqual(onHub.map((r) => [r.context?.relayedTo, r.resultCode]), [['151', '0']]);
    assert.deepEqual(onB.map((r) => [r.interface, r.resultCode, r.certificateIds]), [['GetCertificateDataByCertificateID', '0', [B1.certificateID]]]);

    // By holder, paged in the core: A has none of its own, B's comes through the hub.
    const byHolder = await zz(a.baseUrl, 'ShareQueryCertInfoByHolder', { certificateHolderCode: HOLDER.certificateHolderCode, certTypeCode: DRIVING, Page: 1, Size: 10 }, 'zz-holder');
    assert.equal(String(byHolder.head.status), '0', byHolder.head.message);
    assert.equal(byHolder.data.total, 1);
    // A city-level call is the city's own: nothing of B's.
    const cityLevel = await zzCity('ShareQueryCertInfo', { certificateID: B1.certificateID, interfaceType: '1' }, 'zz-city-level');
    assert.equal(String(cityLevel.head.status), '10');
    assert.equal((await usageOf(aB, 'zz-city-level')).length, 0, 'nothing went up');
  });

  test('owner down, hub down: 1 (第三方接口连接超时) and a record of the failed hop; the city\'s circuit to A opens and recovers', async () => {
    await b.stop();
    const ownerDown = await zz(a.baseUrl, 'ShareQueryCertInfo', { certificateID: B1.certificateID }, 'zz-owner-down');
    assert.equal(String(ownerDown.head.status), '1', ownerDown.head.message);
    assert.deepEqual((await usageOf(hubB, 'zz-owner-down')).map((r) => [r.context?.relayedTo, r.resultCode]), [['151', '1']]);

    await hub.stop();
    const hubDown = await zz(a.baseUrl, 'ShareQueryCertInfo', { certificateID: B1.certificateID }, 'zz-hub-down');
    assert.equal(String(hubDown.head.status), '1', hubDown.head.message);
    assert.deepEqual((await usageOf(aB, 'zz-hub-down')).map((r) => [r.context?.relayedTo, r.resultCode]), [['hub', '1']]);

    await a.stop();
    const down = [];
    for (let i = 0; i < 3; i++) down.push(await zzCity('ShareQueryCertInfo', { certificateID: B1.certificateID }, `zz-a-down-${i}`));
    assert.deepEqual(down.map((r) => String(r.head.status)), ['1', '1', '1']);
    const circuit = async () => /zhengzhao_circuit_state\{node="the province \([^)]*\)",state="(\w[\w-]*)"\} 1/.exec(await (await fetch(`${c.baseUrl}/metrics`, { headers: { authorization: `Bearer ${handleOf(cB).token}` } })).text())?.[1];
    assert.equal(await circuit(), 'open', 'after two failures the circuit is open: no connection is tried');
    assert.deepEqual((await usageOf(cB, 'zz-a-down-2')).map((r) => [r.context?.relayedTo, r.resultCode]), [['province', '1']]);

    a = await startNode(aB, ['--port', String(aPort)], aEnv);
    await new Promise((r) => setTimeout(r, BREAKER_COOLDOWN_MS));
    // The trial call passes and closes the circuit; A answers (its hub is down: 1 from A, not from the city's channel).
    const back = await zzCity('ShareQueryCertInfo', { certificateID: B1.certificateID }, 'zz-a-back');
    assert.equal(String(back.head.status), '1');
    assert.equal(await circuit(), 'closed', 'the trial call reached A and closed the circuit');
    assert.deepEqual((await usageOf(aB, 'zz-a-back')).map((r) => [r.context?.relayedTo, r.resultCode]), [['hub', '1']]);
  });
});
