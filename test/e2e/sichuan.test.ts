/**
 * The Sichuan interface (DB51/T 2942 section 6) over HTTP, on both back ends.
 *
 * Seed 001 gives no example requests or responses, only the parameter tables 2-14: each table's
 * inputs and outputs are the fixtures here, by name. Where the tables disagree with each other or
 * with the text, the corrected form is tested and the comment beside the code in
 * src/dialects/sichuan/ says why:
 * - tables 2, 3 and 6 list data.total beside one record's fields: lists answer {total, dataList}, as
 *   table 4 (6.3.2) and the national appendix D do; tables 5 and 8 (one certificate) answer its fields
 *   straight under data;
 * - table 3 spells head.AccountId / head.AccessToken, the others head.accountId: both are read;
 * - table 8 leaves data.certificateID's 必选 as "-": it is required;
 * - table 9's text asks by holder and type name, its table by holder and number: both are read;
 * - table 10 files head.encryptedId under 输出参数: it is the input;
 * - table 11 lists UseFor 01/02/99 for verification, leaving out 03 证照核验: 03 is allowed there;
 * - tables 11-13 list no head, yet 5.1 requires every caller to be authorised: all need one;
 * - table 14 is titled 电子证照验证服务, and tables 2-9 say the token comes from 电子证照验证服务: it comes
 *   from registration (6.6);
 * - only table 4 lists codes (11, 12, 24, 99, those of ZWFW C 0124 appendix A in Sichuan's words); the
 *   rest say 0 成功 / 1 失败: the specific appendix A code is answered everywhere.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gridMatrixMissing } from '../../src/core/grid-matrix.js';
import { pngModules, zintDump } from '../support/grid-matrix.js';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import iconv from 'iconv-lite';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { startNode, cli, type RunningNode } from '../support/node-process.js';
import { fixtureLines, PERSON, ORG, FIXTURE } from './national-fixture.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { EncryptedIds } from '../../src/core/encrypted-ids.js';
import { RegistrationService } from '../../src/core/registrations.js';
import { sm2Verify } from '../../src/crypto/sm2.js';
import { canonicalJson } from '../../src/domain/canonical.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

// The node and the command line share data keys with this process, so it can make expired
// encrypted IDs and tokens exactly as the node would have made them earlier.
const KEY_HEX = randomBytes(16).toString('hex');
const INDEX_HEX = randomBytes(32).toString('hex');
process.env.ZHENGZHAO_DATA_KEYS = `k1:${KEY_HEX}`;
process.env.ZHENGZHAO_INDEX_KEY = INDEX_HEX;
const keys = new Keyring(new Map([['k1', Buffer.from(KEY_HEX, 'hex')]]), 'k1', Buffer.from(INDEX_HEX, 'hex'));
const BODY_LIMIT = 64 * 1024;
const FILE_BODY_LIMIT = 256 * 1024;

const pgSkip = await postgresSkip();

interface Answer { status: number; type: string; bytes: Buffer; json: any }

for (const backendName of BACKENDS) {
  describe(`Sichuan interface over HTTP (${backendName})`, async () => {
    const skip = backendName === 'postgres' ? pgSkip : false;
    let b: Backend;
    let node: RunningNode;
    let api: string;
    /** The approved system most tests call as. */
    const sys = { accountId: '', accessToken: '' };

    /** A POST from a chosen local address (the loopback range is all ours), answered as bytes and, when it is JSON, parsed in its charset. */
    const send = (name: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }, localAddress = '127.0.0.1') =>
      new Promise<Answer>((resolve, reject) => {
        const url = new URL(`${api}/${name}`);
        const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers, localAddress }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const bytes = Buffer.concat(chunks);
            const type = String(res.headers['content-type'] ?? '');
            const charset = /charset=([^;]+)/i.exec(type)?.[1]?.toLowerCase() ?? 'utf-8';
            const json = type.startsWith('application/json') ? JSON.parse(new TextDecoder(charset, { fatal: true }).decode(bytes)) : undefined;
            resolve({ status: res.statusCode ?? 0, type, bytes, json });
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    const call = (name: string, body: unknown, localAddress?: string) => send(name, JSON.stringify(body), undefined, localAddress);
    /** head/data request of the approved system. */
    const as = (data: Record<string, unknown>, who = sys) => ({ head: { accountId: who.accountId, accessToken: who.accessToken }, data });
    const head = async (name: string, data: Record<string, unknown>) => (await call(name, as(data))).json;
    const register = (system: Record<string, unknown>, localAddress?: string) => call('Register', system, localAddress);
    /** Waits out the node's few seconds of registration caching when the command line changed the database behind it. */
    const eventually = async (fn: () => Promise<string>, want: string) => {
      let got = '';
      for (let i = 0; i < 40; i++) {
        got = await fn();
        if (got === want) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(got, want);
    };
    const retrievalStatus = (who: { accountId: string; accessToken: string }) => async () =>
      (await call('Retrieval', as({ certificateHolderCode: PERSON.code, useFor: '01' }, who))).json.head.status as string;

    before(async () => {
      if (skip) return;
      b = await makeBackend(backendName);
      node = await startNode(b, [], { ZHENGZHAO_BODY_LIMIT: String(BODY_LIMIT), ZHENGZHAO_FILE_BODY_LIMIT: String(FILE_BODY_LIMIT) });
      api = `${node.baseUrl}/sichuan/v1`;
      const file = join(mkdtempSync(join(tmpdir(), 'zz-sc-')), 'certs.ndjson');
      writeFileSync(file, fixtureLines().join('\n') + '\n');
      const imp = cli(b, ['import', file, '--json']);
      // The fixture's invalid lines fail the command; the valid ones are written.
      assert.equal(imp.status, 1, imp.stderr);
      assert.equal(JSON.parse(imp.stdout).inserted, FIXTURE.valid);
    });
    after(async () => {
      if (skip) return;
      await node?.stop();
      await b?.cleanup();
    });

    test('6.6 registration: pending until an administrator approves it, then admitted from its address only', { skip }, async () => {
      const system = { systemName: '成都市政务服务系统', systemIp: '127.0.0.1', deptCode: '11510100MB1234567X', deptName: '成都市政务服务管理和网络理政办公室' };
      const r = await register(system);
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.json), ['head', 'accountId', 'accessToken', 'approvalStatus', 'expireTime']);
      assert.deepEqual(r.json.head, { status: '0', message: '接口调用成功' });
      assert.match(r.json.accountId, /^REG[0-9A-F]{16}$/);
      assert.match(r.json.accessToken, /^[A-Za-z0-9_-]{100,}$/);
      assert.equal(r.json.approvalStatus, 'pending');
      assert.match(r.json.expireTime, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      Object.assign(sys, { accountId: r.json.accountId, accessToken: r.json.accessToken });

      const pending = await call('Retrieval', as({ certificateHolderCode: PERSON.code, useFor: '01' }));
      assert.deepEqual(pending.json, { head: { status: '11', message: '身份验证失败: the registration awaits approval by an administrator' } });

      const listed = cli(b, ['registrations', 'list', '--status', 'pending', '--json']);
      assert.equal(listed.status, 0, listed.stderr);
      const row = JSON.parse(listed.stdout).find((x: any) => x.accountId === sys.accountId);
      assert.deepEqual({ ...row, registeredAt: undefined }, {
        accountId: sys.accountId, systemName: system.systemName, systemIp: '127.0.0.1', deptCode: system.deptCode, deptName: system.deptName,
        status: 'pending', registeredAt: undefined, decidedAt: null,
      });
      const approved = cli(b, ['registrations', 'approve', sys.accountId]);
      assert.equal(approved.status, 0, approved.stderr);
      assert.match(approved.stdout, new RegExp(`^${sys.accountId}\tapproved\t成都市政务服务系统\t127\\.0\\.0\\.1\t`));
      await eventually(retrievalStatus(sys), '0');
      const twice = cli(b, ['registrations', 'approve', sys.accountId]);
      assert.equal(twice.status, 1);
      assert.match(twice.stderr, /is approved already/);
      const unknown = cli(b, ['registrations', 'reject', 'REG0000000000000000']);
      assert.equal(unknown.status, 1);
      assert.match(unknown.stderr, /no registration REG0000000000000000/);

      // Registering again is how a system renews its token: same account, still approved, a new token; the old one still works.
      const again = await register(system);
      assert.equal(again.json.accountId, sys.accountId);
      assert.equal(again.json.approvalStatus, 'approved');
      assert.notEqual(again.json.accessToken, sys.accessToken);
      assert.equal(await retrievalStatus({ accountId: sys.accountId, accessToken: again.json.accessToken })(), '0');
      assert.equal(await retrievalStatus(sys)(), '0');

      // From any other address: 11, whether it calls or tries to register as this system.
      const elsewhere = await call('Retrieval', as({ certificateHolderCode: PERSON.code, useFor: '01' }), '127.0.0.2');
      assert.deepEqual(elsewhere.json.head, { status: '11', message: '身份验证失败: this account calls only from its registered address (systemIp)' });
      const stolen = await register(system, '127.0.0.2');
      assert.deepEqual(stolen.json, { head: { status: '11', message: '身份验证失败: a system registers from the address it names (127.0.0.1); this call came from 127.0.0.2' } });
      const otherDept = await register({ ...system, deptCode: '11510000MB0000000X' });
      assert.deepEqual(otherDept.json.head, { status: '99', message: `其他异常: deptCode this system is registered for another department (${system.deptCode} ${system.deptName})` });

      // A registered system is an account of the platform: the national interface admits it too.
      const national = await fetch(`${node.baseUrl}/elssp/v1/Retrieval`, {
        method: 'POST', body: new URLSearchParams({ AccountId: sys.accountId, AccessToken: sys.accessToken, CertificateHolderCode: PERSON.code, UseFor: '婚姻登记' }),
      });
      assert.equal(((await national.json()) as any).head.status, '0');
    });

    test('6.6 registration input errors, rejected registrations, expired and forged tokens: 11, 12, 24', { skip }, async () => {
      assert.deepEqual((await register({ systemName: '系统', systemIp: '127.0.0.1' })).json,
        { head: { status: '12', message: '必填参数为空: deptCode, deptName' } });
      assert.deepEqual((await register({})).json, { head: { status: '12', message: '必填参数为空: systemName, systemIp, deptCode, deptName' } });
      assert.deepEqual((await register({ systemName: 12, systemIp: '127.0.0.1', deptCode: 'x', deptName: 'y' })).json,
        { head: { status: '24', message: '申请下载的证照数据无法解析: systemName must be a string (字符串)' } });
      assert.deepEqual((await register({ systemName: 'a', systemIp: '999.1.1.1', deptCode: 'x', deptName: 'y' })).json,
        { head: { status: '24', message: '申请下载的证照数据无法解析: systemIp not an IP address: 999.1.1.1' } });
      // The data object of the head/data tables is read too.
      const viaData = await register({ data: { systemName: '乐山市不动产登记系统', systemIp: '127.0.0.1', deptCode: '115111000000000001', deptName: '乐山市自然资源局' } });
      assert.equal(viaData.json.head.status, '0');
      const other = { accountId: viaData.json.accountId, accessToken: viaData.json.accessToken };
      const rejected = cli(b, ['registrations', 'reject', other.accountId, '--json']);
      assert.equal(rejected.status, 0, rejected.stderr);
      assert.equal(JSON.parse(rejected.stdout).status, 'rejected');
      assert.match(JSON.parse(rejected.stdout).decidedAt, /^\d{4}-/);
      await eventually(async () => (await call('Retrieval', as({ certificateHolderCode: PERSON.code, useFor: '01' }, other))).json.head.message,
        '身份验证失败: the registration was rejected by an administrator');
      assert.deepEqual((await register({ systemName: '乐山市不动产登记系统', systemIp: '127.0.0.1', deptCode: '115111000000000001', deptName: '乐山市自然资源局' })).json,
        { head: { status: '11', message: '身份验证失败: this registration was rejected by the administrator' } });

      const retrieval = (h: unknown) => call('Retrieval', { head: h, data: { certificateHolderCode: PERSON.code, useFor: '01' } });
      const expired = new RegistrationService({} as never, keys, 60).issueToken(sys.accountId, Date.now() - 3_600_000).token;
      assert.deepEqual((await retrieval({ accountId: sys.accountId, accessToken: expired })).json.head,
        { status: '11', message: '身份验证失败: accessToken has expired; register again (Register) with the same systemName and systemIp for a new one' });
      const t = sys.accessToken;
      const forged = t.slice(0, 40) + (t[40] === 'A' ? 'B' : 'A') + t.slice(41);
      assert.deepEqual((await retrieval({ accountId: sys.accountId, accessToken: forged })).json.head, { status: '11', message: '身份验证失败' });
      assert.deepEqual((await retrieval({ accountId: other.accountId, accessToken: sys.accessToken })).json.head, { status: '11', message: '身份验证失败' }, "another system's token");
      assert.deepEqual((await retrieval({ accountId: 'nobody', accessToken: t })).json.head, { status: '11', message: '身份验证失败' });
      assert.deepEqual((await retrieval(undefined)).json.head, { status: '11', message: '身份验证失败: head.accountId and head.accessToken are required' });
      // Table 3 writes head.AccountId / head.AccessToken.
      assert.equal((await retrieval({ AccountId: sys.accountId, AccessToken: sys.accessToken })).json.head.status, '0');
      assert.deepEqual((await retrieval({ accountId: 5, accessToken: t })).json.head, { status: '24', message: '申请下载的证照数据无法解析: head.accountId must be a string (字符串)' });
    });

    test('6.2 Retrieval (table 2): the holder\'s certificates, useFor 01/02/03/99, the document\'s codes for bad input', { skip }, async () => {
      const r = await head('Retrieval', { certificateHolderCode: PERSON.code, certificateHolderType: '111', useFor: '03' });
      assert.deepEqual(r.head, { status: '0', message: '接口调用成功' });
      assert.equal(r.data.total, 3);
      assert.deepEqual(r.data.dataList.map((x: any) => x.certificateType).sort(), ['中华人民共和国机动车驾驶证', '居民身份证', '结婚证']);
      const marriage = r.data.dataList.find((x: any) => x.certificateType === '结婚证');
      assert.deepEqual(Object.keys(marriage), ['certificateID', 'certificateType', 'issueDept', 'certificateNumber', 'issueDate']);
      assert.deepEqual({ ...marriage, certificateID: undefined }, {
        certificateID: undefined, certificateType: '结婚证', issueDept: '××市××区民政局', certificateNumber: 'J320000-2011-001327', issueDate: '2014年03月04日',
      });
      assert.match(marriage.certificateID, /^1\.2\.156\.3005\.2\.111000000000131433001\.11330105002500287C\./);
      const typed = await head('Retrieval', { certificateHolderCode: PERSON.code, certificateType: '结婚证', useFor: '99' });
      assert.equal(typed.data.total, 1);

      const bad = async (data: Record<string, unknown>) => (await head('Retrieval', data)).head;
      assert.deepEqual(await bad({ certificateHolderCode: PERSON.code }), { status: '12', message: '必填参数为空: data.useFor' });
      assert.deepEqual(await bad({ certificateHolderCode: PERSON.code, useFor: '05' }),
        { status: '24', message: '申请下载的证照数据无法解析: data.useFor must be one of 01 共享应用, 02 亮证应用, 03 证照核验, 99 其他' });
      assert.deepEqual(await bad({ certificateHolderCode: PERSON.code, useFor: 1 }), { status: '24', message: '申请下载的证照数据无法解析: data.useFor must be a string (字符串)' });
      assert.deepEqual(await bad({ useFor: '01' }), { status: '12', message: '必填参数为空: data.certificateHolderCode' });
      assert.deepEqual(await bad({ certificateHolderCode: PERSON.code, certificateHolderType: '123', useFor: '01' }),
        { status: '14', message: '错误的持证主体代码类型: unknown holder code type 123' });
      assert.deepEqual(await bad({ certificateHolderCode: '110105194912310021', useFor: '01' }),
        { status: '14', message: '错误的持证主体代码类型: holder code fails its GB 11643 check digit' });
      assert.deepEqual(await bad({ certificateHolderCode: '11010519491231003X', certificateHolderType: '111', useFor: '01' }).then((h) => h.status), '14');
      assert.deepEqual(await bad({ certificateHolderCode: '110101199003074477', useFor: '01' }), { status: '10', message: '未找到匹配的证照信息' });
      assert.deepEqual(await bad({ certificateHolderCode: PERSON.code, certificateType: '护照', useFor: '01' }), { status: '13', message: '证照类型不存在或未发布: 护照' });
      assert.deepEqual(await bad({ certificateHolderCode: Number('110105194912310020'), useFor: '01' }),
        { status: '24', message: '申请下载的证照数据无法解析: data.certificateHolderCode must be a string (字符串)' });
    });

    test('6.3.1-6.3.3 downloads (tables 3-5): by holder, by certificate ID, by encrypted ID; the files come down', { skip }, async () => {
      const byHolder = await head('GetCertificateFileByHolder', {
        certificateHolderCode: PERSON.code, certificateHolderType: '111', certificateType: '中华人民共和国机动车驾驶证', certificateNumber: '330320542338', useFor: '01',
      });
      assert.deepEqual(byHolder.head, { status: '0', message: '接口调用成功' });
      assert.equal(byHolder.data.total, 1);
      const item = byHolder.data.dataList[0];
      assert.deepEqual(Object.keys(item), ['certificateID', 'certificateType', 'issueDept', 'certificateNumber', 'issueDate', 'fileFormat', 'fileUrl']);
      assert.deepEqual([item.certificateType, item.issueDept, item.certificateNumber, item.issueDate, item.fileFormat],
        ['中华人民共和国机动车驾驶证', '××市公安局交通警察支队', '330320542338', '2019年05月06日', 'pdf']);
      assert.match(item.fileUrl, new RegExp(`^${node.baseUrl}/files/[A-Za-z0-9_-]+$`));
      const file = await fetch(item.fileUrl);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'application/pdf');
      assert.equal(Buffer.from(await file.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');
      // An annotated copy, because the call stated its purpose (01 共享应用).
      assert.match(file.headers.get('content-disposition') ?? '', /-copy\.pdf/);

      assert.deepEqual((await head('GetCertificateFileByHolder', { certificateHolderCode: PERSON.code, useFor: '01' })).head,
        { status: '12', message: '必填参数为空: data.certificateType' });
      assert.deepEqual((await head('GetCertificateFileByHolder', { certificateHolderCode: PERSON.code, certificateType: '结婚证', useFor: '03' })).head,
        { status: '24', message: '申请下载的证照数据无法解析: data.useFor 03 (证照核验) is not allowed here; use 01 共享应用, 02 亮证应用, 99 其他' });
      assert.deepEqual((await head('GetCertificateFileByHolder', { certificateHolderCode: PERSON.code, certificateType: '结婚证', useFor: '02', fileFormat: 'docx' })).head,
        { status: '24', message: '申请下载的证照数据无法解析: data.fileFormat must be pdf or ofd' });

      const byId = await head('GetCertificateFileByCertificateID', { certificateID: item.certificateID, useFor: '02' });
      assert.deepEqual(byId.head, { status: '0', message: '接口调用成功' });
      assert.equal(byId.data.total, 1);
      assert.equal(byId.data.dataList[0].certificateNumber, '330320542338');
      const copy = Buffer.from(await (await fetch(byId.data.dataList[0].fileUrl)).arrayBuffer());
      // 6.5.2 on a genuine copy, then on the same copy with one byte changed.
      const verifyFile = async (bytes: Buffer, fileFormat = 'pdf') =>
        (await call('VerifyCertificateFile', as({ fileFormat, fileEntity: bytes.toString('base64') }))).json.data;
      const genuine = await verifyFile(copy);
      assert.equal(genuine.result, '1', JSON.stringify(genuine));
      assert.equal(genuine.signVerify, '签章验证通过');
      assert.equal(genuine.message, `${byId.data.dataList[0].certificateType}（330320542338），验证通过`);
      assert.equal(JSON.parse(genuine.dataVerify).copy.reason, '亮证应用');
      const changed = Buffer.from(copy);
      const mid = Math.floor(changed.length / 2);
      changed[mid] = changed[mid]! ^ 1;
      const bad = await verifyFile(changed);
      assert.equal(bad.result, '0');
      assert.notEqual(bad.signVerify, '签章验证通过');
      assert.equal((await verifyFile(copy, 'ofd')).result, '0', 'declared OFD, sent PDF');
      const ids = await FIXTURE.idsByStatus(node.baseUrl);
      const byIdCode = async (data: Record<string, unknown>) => (await head('GetCertificateFileByCertificateID', data)).head;
      assert.deepEqual(await byIdCode({ certificateID: ids.abolished, useFor: '01' }), { status: '21', message: '该电子证照已废止或注销' });
      assert.deepEqual(await byIdCode({ certificateID: ids.expired, useFor: '01' }), { status: '22', message: '该电子证照已过期' });
      assert.deepEqual(await byIdCode({ certificateID: ids.suspended, useFor: '01' }), { status: '23', message: '该电子证照已受限使用' });
      assert.deepEqual(await byIdCode({ useFor: '01' }), { status: '12', message: '必填参数为空: data.certificateID' });
      assert.deepEqual(await byIdCode({ certificateID: item.certificateID }), { status: '12', message: '必填参数为空: data.useFor' });
      // Another check character (the right one may itself be Q): the identifier of no certificate.
      const otherCheck = item.certificateID.endsWith('Q') ? 'R' : 'Q';
      assert.equal((await byIdCode({ certificateID: `${item.certificateID.slice(0, -1)}${otherCheck}`, useFor: '01' })).status, '10');
      assert.equal((await byIdCode({ certificateID: 'no-such-certificate', useFor: '01' })).status, '10');
      assert.deepEqual(await byIdCode({ certificateID: ['x'], useFor: '01' }), { status: '24', message: '申请下载的证照数据无法解析: data.certificateID must be a string (字符串)' });

      // 6.3.3: one link, its fields straight under data (table 5).
      const enc = await call('GetEncryptedCertificateID', as({ certificateHolderCode: PERSON.code, certificateNumber: '330320542338' }));
      const encryptedId = enc.json.ifResultInfo[0].encryptedId as string;
      const byEnc = await head('GetCertificateFileByEncryptedID', { encryptedId, useFor: '02' });
      assert.deepEqual(byEnc.head, { status: '0', message: '接口调用成功' });
      assert.deepEqual([byEnc.data.certificateID, byEnc.data.certificateNumber, byEnc.data.fileFormat], [item.certificateID, '330320542338', 'pdf']);
      assert.equal((await fetch(byEnc.data.fileUrl)).status, 200);
      const altered = encryptedId.slice(0, 60) + (encryptedId[60] === 'A' ? 'B' : 'A') + encryptedId.slice(61);
      assert.deepEqual((await head('GetCertificateFileByEncryptedID', { encryptedId: altered, useFor: '02' })).head,
        { status: '24', message: '申请下载的证照数据无法解析: data.encryptedId is not genuine (forged, altered or truncated)' });
      const stale = new EncryptedIds(keys, 600).issue(item.certificateID, Date.now() - 601_000).encryptedId;
      assert.deepEqual((await head('GetCertificateFileByEncryptedID', { encryptedId: stale, useFor: '02' })).head,
        { status: '24', message: '申请下载的证照数据无法解析: data.encryptedId has expired' });
      assert.deepEqual((await head('GetCertificateFileByEncryptedID', { useFor: '02' })).head, { status: '12', message: '必填参数为空: data.encryptedId' });
      assert.deepEqual((await head('GetCertificateFileByEncryptedID', { encryptedId, useFor: '03' })).head.status, '24');
      const ofAbolished = new EncryptedIds(keys, 600).issue(ids.abolished).encryptedId;
      assert.deepEqual((await head('GetCertificateFileByEncryptedID', { encryptedId: ofAbolished, useFor: '01' })).head, { status: '21', message: '该电子证照已废止或注销' });
    });

    test('6.4.1-6.4.2 data (tables 6-8): metadata, Surface[] and a digitalSign anyone can check', { skip }, async () => {
      const r = await head('GetCertificateDataByHolder', { certificateHolderCode: ORG.code, certificateHolderType: '001', certificateType: '社会团体法人登记证书', useFor: '01' });
      assert.deepEqual(r.head, { status: '0', message: '接口调用成功' });
      assert.equal(r.data.total, 1);
      const item = r.data.dataList[0];
      assert.deepEqual(Object.keys(item), [
        'certificateType', 'certificateName', 'certificateHolder', 'certificateHolderCode', 'certificateHolderType', 'issueDept', 'certificateNumber',
        'issueDeptCode', 'issueDate', 'certificateValidateStart', 'certificateValidateEnd', 'digitalSign', 'Surface', 'certificateID', 'certificateTypeCode', 'detail',
      ]);
      assert.deepEqual([item.certificateHolder, item.certificateHolderCode, item.certificateHolderType, item.issueDept, item.issueDeptCode],
        [ORG.name, ORG.code, '001', '**省民政厅', '11330105002500287C']);
      // Tables 6 and 8: 证照颁发时间 (YYYY年MM月DD日), zero-padded; the validity dates in the same form.
      assert.deepEqual([item.issueDate, item.certificateValidateStart, item.certificateValidateEnd], ['2011年11月01日', '2011年11月01日', '2035年10月31日']);
      assert.deepEqual(item.Surface[1], { name: '业务范围', value: '学术研究、采访报道、交流联系、组织比赛', valueType: 'string', columnName: 'KZ_YWFW' });
      assert.equal(item.Surface.length, 7);

      const keyList = (await (await fetch(`${node.baseUrl}/.well-known/zhengzhao/keys`)).json()) as any;
      const { digitalSign, Surface, ...rest } = item;
      const national = (d: string) => d.replace('年0', '年').replace('月0', '月');
      const dates = { issueDate: national(rest.issueDate), certificateValidateStart: national(rest.certificateValidateStart), certificateValidateEnd: national(rest.certificateValidateEnd) };
      const signed = Buffer.from(canonicalJson({ ...rest, ...dates, surface: Surface }), 'utf8');
      assert.ok(sm2Verify(signed, Buffer.from(digitalSign, 'base64'), keyList.keys[0].publicKeyHex), 'the national signature checks once Surface is spelt surface and the dates are national');
      if (has('jq') && has('openssl')) {
        // The README's recipe for a Sichuan record.
        const dir = mkdtempSync(join(tmpdir(), 'zz-sc-sig-'));
        writeFileSync(join(dir, 'item.json'), JSON.stringify(item, null, 2));
        writeFileSync(join(dir, 'key.pem'), keyList.keys[0].publicKeyPem);
        writeFileSync(join(dir, 'sig.der'), Buffer.from(digitalSign, 'base64'));
        const sh = (c: string) => spawnSync('sh', ['-c', c], { cwd: dir, encoding: 'utf8' });
        assert.equal(sh(`jq -cjS '.surface = .Surface | del(.Surface, .digitalSign) | (.issueDate, .certificateValidateStart, .certificateValidateEnd) |= (sub("年0"; "年") | sub("月0"; "月"))' item.json > signed.bin`).status, 0);
        const v = sh('openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in signed.bin -sigfile sig.der -digest sm3 -pkeyopt distid:1234567812345678');
        assert.match(v.stdout + v.stderr, /Signature Verified Successfully/);
      }

      const byId = await head('GetCertificateDataByCertificateID', { certificateID: item.certificateID, useFor: '99' });
      assert.deepEqual(byId.head, { status: '0', message: '接口调用成功' });
      assert.deepEqual(byId.data, item, 'table 8: the same record, straight under data');
      assert.deepEqual((await head('GetCertificateDataByCertificateID', { useFor: '01' })).head, { status: '12', message: '必填参数为空: data.certificateID' });
      assert.deepEqual((await head('GetCertificateDataByHolder', { certificateHolderCode: ORG.code, useFor: '01' })).head, { status: '12', message: '必填参数为空: data.certificateType' });
      assert.deepEqual((await head('GetCertificateDataByHolder', { certificateHolderCode: ORG.code, certificateType: '营业执照', useFor: '01' })).head,
        { status: '23', message: '该电子证照已受限使用' });
      assert.deepEqual((await head('GetCertificateDataByHolder', { certificateHolderCode: ORG.code, certificateType: '社会团体法人登记证书', useFor: '03' })).head.status, '24');
    });

    test('6.4.3 encrypted IDs (table 9): ifResult/ifResultInfo; no holder in the clear; errors in the same shape', { skip }, async () => {
      const r = await call('GetEncryptedCertificateID', as({ certificateHolderCode: PERSON.code, certificateHolderType: '111' }));
      assert.equal(r.json.ifResult, '0');
      // The usable ones: the marriage certificate and the driving licence (the ID card has expired, the divorce certificate is abolished).
      assert.deepEqual(r.json.ifResultInfo.map((x: any) => x.certificateType).sort(), ['中华人民共和国机动车驾驶证', '结婚证']);
      const one = r.json.ifResultInfo.find((x: any) => x.certificateType === '结婚证');
      assert.deepEqual(Object.keys(one), ['encryptedId', 'certificateType', 'issueDept', 'certificateNumber', 'expireTime']);
      assert.match(one.encryptedId, /^[A-Z2-7]{140,200}$/);
      assert.ok(!one.encryptedId.includes(PERSON.code));
      const opened = new EncryptedIds(keys, 600).check(one.encryptedId);
      assert.ok(opened.ok);
      const expires = new Date(`${one.expireTime.replace(' ', 'T')}+08:00`).getTime() / 1000;
      assert.equal(expires, opened.grant.expires);
      assert.ok(Math.abs(opened.grant.expires - 600 - Date.now() / 1000) < 30, 'ten minutes by default');

      const byNumber = await call('GetEncryptedCertificateID', as({ certificateHolderCode: PERSON.code, certificateNumber: '330320542338' }));
      assert.deepEqual(byNumber.json.ifResultInfo.map((x: any) => x.certificateNumber), ['330320542338']);
      const byType = await call('GetEncryptedCertificateID', as({ certificateHolderCode: PERSON.code, certificateType: '结婚证', useFor: '02' }));
      assert.deepEqual(byType.json.ifResultInfo.map((x: any) => x.certificateType), ['结婚证']);

      const err = async (body: unknown) => (await call('GetEncryptedCertificateID', body)).json;
      assert.deepEqual(await err(as({})), { ifResult: '12', ifResultInfo: '必填参数为空: data.certificateHolderCode' });
      assert.deepEqual(await err(as({ certificateHolderCode: '110101199003074477' })), { ifResult: '10', ifResultInfo: '未找到匹配的证照信息' });
      assert.deepEqual(await err(as({ certificateHolderCode: PERSON.code, certificateHolderType: 'X' })), { ifResult: '14', ifResultInfo: '错误的持证主体代码类型: unknown holder code type X' });
      assert.deepEqual(await err(as({ certificateHolderCode: PERSON.code, useFor: '7' })),
        { ifResult: '24', ifResultInfo: '申请下载的证照数据无法解析: data.useFor must be one of 01 共享应用, 02 亮证应用, 03 证照核验, 99 其他' });
      assert.deepEqual(await err({ data: { certificateHolderCode: PERSON.code } }), { ifResult: '11', ifResultInfo: '身份验证失败: head.accountId and head.accessToken are required' });
      const broken = await send('GetEncryptedCertificateID', '{"head": {');
      assert.equal(broken.status, 400);
      assert.equal(broken.json.ifResult, '24');
      assert.match(broken.json.ifResultInfo, /^申请下载的证照数据无法解析: malformed request: /);
    });

    test('6.4.4 QR code of an encrypted ID (table 10): a PNG zbarimg reads back; GM drawn by libzint', { skip }, async () => {
      const r = await call('GetEncryptedCertificateID', as({ certificateHolderCode: PERSON.code, certificateType: '结婚证' }));
      const encryptedId = r.json.ifResultInfo[0].encryptedId as string;
      const qr = await call('GetEncryptedCertificateIDQRCode', { head: { accountId: sys.accountId, accessToken: sys.accessToken, encryptedId } });
      assert.equal(qr.status, 200);
      assert.equal(qr.type, 'image/png');
      assert.equal(qr.bytes.subarray(1, 4).toString(), 'PNG');
      if (has('zbarimg')) {
        const file = join(mkdtempSync(join(tmpdir(), 'zz-qr-')), 'qr.png');
        writeFileSync(file, qr.bytes);
        const z = spawnSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' });
        assert.equal(z.stdout.trim(), encryptedId, z.stderr);
      } else if (process.env.CI) {
        assert.fail('zbarimg (zbar-tools) is required under CI');
      }
      const explicit = await call('GetEncryptedCertificateIDQRCode', { head: { accountId: sys.accountId, accessToken: sys.accessToken, encryptedId, type: 'qr' } });
      assert.equal(explicit.type, 'image/png');

      // Grid Matrix (GB/T 27766) through libzint: the symbol zint draws for the same value; without the library, 2 naming it.
      const gm = await call('GetEncryptedCertificateIDQRCode', { head: { accountId: sys.accountId, accessToken: sys.accessToken, encryptedId, type: 'GM' } });
      assert.equal(gm.status, 200);
      const missing = gridMatrixMissing();
      if (missing) {
        assert.deepEqual(gm.json, { head: { status: '2', message: `证照源未提供此服务接口: type ${missing}; ask for QR` } });
        assert.match(missing, /libzint/);
        if (process.env.CI) assert.fail('libzint-dev is required under CI');
      } else {
        assert.equal(gm.type, 'image/png');
        if (has('zint')) assert.deepEqual(pngModules(gm.bytes, 6), zintDump(encryptedId));
      }
      const odd = await call('GetEncryptedCertificateIDQRCode', { head: { accountId: sys.accountId, accessToken: sys.accessToken, encryptedId, type: 'PDF417' } });
      assert.deepEqual(odd.json, { head: { status: '24', message: '申请下载的证照数据无法解析: type must be QR or GM' } });
      const forged = encryptedId.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      const bad = await call('GetEncryptedCertificateIDQRCode', { head: { accountId: sys.accountId, accessToken: sys.accessToken, encryptedId: forged } });
      assert.deepEqual(bad.json, { head: { status: '24', message: '申请下载的证照数据无法解析: head.encryptedId is not genuine (forged, altered or truncated)' } });
      const none = await call('GetEncryptedCertificateIDQRCode', { head: { accountId: sys.accountId, accessToken: sys.accessToken } });
      assert.deepEqual(none.json, { head: { status: '12', message: '必填参数为空: head.encryptedId' } });
      const anonymous = await call('GetEncryptedCertificateIDQRCode', { head: { encryptedId } });
      assert.equal(anonymous.json.head.status, '11');
    });

    test('6.5.1 verification by fields (table 11): ifResult, VerifyResult, msgId', { skip }, async () => {
      const claim = {
        certificateType: '结婚证', certificateName: '结婚证', certificateNumber: 'J320000-2011-001327', certificateHolder: PERSON.name,
        issueDept: '××市××区民政局', issueDeptCode: '11330105002500287C', issueDate: '2014年3月4日', certificateValidateEnd: '长期',
      };
      const verify = async (body: Record<string, unknown>) => (await call('VerifyCertificate', { head: { accountId: sys.accountId, accessToken: sys.accessToken }, ...body })).json;
      const ok = await verify({ CertificateHolderCode: PERSON.code, CertificateHolderType: '111', CertificateData: claim, UseFor: '03' });
      assert.deepEqual(Object.keys(ok), ['ifResult', 'ifResultInfo', 'VerifyResult', 'msgId']);
      assert.equal(ok.ifResult, '0');
      assert.equal(ok.VerifyResult, 'true');
      assert.match(ok.msgId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual(ok.ifResultInfo, [{ VerifyResult: 'true', msgId: ok.msgId }]);
      // Dates in another written form are the same date.
      assert.equal((await verify({ CertificateHolderCode: PERSON.code, CertificateData: { ...claim, issueDate: '2014-03-04' }, UseFor: '01' })).VerifyResult, 'true');
      assert.equal((await verify({ CertificateHolderCode: PERSON.code, CertificateData: { ...claim, certificateHolder: '李四' }, UseFor: '01' })).VerifyResult, 'false');
      // Table 11 requires only the holder code: one field is enough, and it is compared across the holder's certificates.
      assert.equal((await verify({ CertificateHolderCode: PERSON.code, CertificateData: { certificateNumber: '330320542338' }, UseFor: '02' })).VerifyResult, 'true');
      assert.equal((await verify({ CertificateHolderCode: PERSON.code, CertificateData: { certificateNumber: '330320542338', certificateType: '结婚证' }, UseFor: '02' })).ifResult, '10');
      assert.equal((await verify({ CertificateHolderCode: PERSON.code, CertificateData: { certificateNumber: '330320542338', issueDate: '2019-05-07' }, UseFor: '02' })).VerifyResult, 'false');
      assert.deepEqual(await verify({ CertificateHolderCode: PERSON.code, CertificateData: { certificateNumber: 'NOPE' }, UseFor: '02' }), { ifResult: '10', ifResultInfo: '未找到匹配的证照信息' });
      // The head/data form of the other tables is read as well.
      assert.equal((await verify({ data: { CertificateHolderCode: PERSON.code, CertificateData: claim, UseFor: '99' } })).VerifyResult, 'true');

      assert.deepEqual(await verify({ CertificateHolderCode: PERSON.code, CertificateData: claim }), { ifResult: '12', ifResultInfo: '必填参数为空: UseFor' });
      assert.deepEqual(await verify({ CertificateData: claim, UseFor: '03' }), { ifResult: '12', ifResultInfo: '必填参数为空: CertificateHolderCode' });
      assert.deepEqual(await verify({ CertificateHolderCode: PERSON.code, CertificateData: '{"certificateType":"结婚证"}', UseFor: '03' }),
        { ifResult: '24', ifResultInfo: '申请下载的证照数据无法解析: CertificateData must be a JSON object' });
      assert.deepEqual(await verify({ CertificateHolderCode: PERSON.code, CertificateData: { ...claim, issueDate: '2014年13月4日' }, UseFor: '03' }),
        { ifResult: '24', ifResultInfo: '申请下载的证照数据无法解析: CertificateData.issueDate not a date: 2014年13月4日' });
      assert.deepEqual(await verify({ CertificateHolderCode: PERSON.code, CertificateData: { certificateType: '离婚证', certificateNumber: 'J320000-2011-001328' }, UseFor: '03' }),
        { ifResult: '21', ifResultInfo: '该电子证照已废止或注销' });
      assert.deepEqual(await verify({ CertificateHolderCode: '110101199003074477', UseFor: '03' }), { ifResult: '10', ifResultInfo: '未找到匹配的证照信息' });
      // Only the holder code and UseFor, the two fields table 11 requires: nothing of a certificate to compare, so never "true".
      assert.deepEqual(await verify({ CertificateHolderCode: PERSON.code, UseFor: '03' }),
        { ifResult: '12', ifResultInfo: '必填参数为空: CertificateData no field of the certificate to compare' });
      assert.deepEqual(await verify({ CertificateHolderCode: PERSON.code, CertificateData: { certificateType: '结婚证' }, UseFor: '03' }),
        { ifResult: '12', ifResultInfo: '必填参数为空: CertificateData no field of the certificate to compare' }, 'the type names the certificate, it says nothing about it');
      assert.deepEqual((await call('VerifyCertificate', { CertificateHolderCode: PERSON.code, UseFor: '03' })).json,
        { ifResult: '11', ifResultInfo: '身份验证失败: head.accountId and head.accessToken are required' });

      // msgId is the use's correlation ID in the usage log.
      const usage = cli(b, ['usage', '--json', '--limit', '400']);
      const rows = JSON.parse(usage.stdout) as any[];
      const row = rows.find((x) => x.correlationId === ok.msgId);
      assert.deepEqual([row.dialect, row.interface, row.accountId, row.reason, row.resultCode], ['sichuan', 'VerifyCertificate', sys.accountId, '证照核验', '0']);
    });

    test('6.5.2 verification by file (table 12): result 0 for what is not a layout file; bad base64, missing fields, oversized bodies', { skip }, async () => {
      const verify = async (data: Record<string, unknown>) => (await call('VerifyCertificateFile', as(data))).json;
      const text = await verify({ fileFormat: 'pdf', fileEntity: Buffer.from('这不是证照文件').toString('base64') });
      assert.deepEqual(text.head, { status: '0', message: '接口调用成功' });
      assert.deepEqual(Object.keys(text.data), ['result', 'signVerify', 'message', 'detail', 'dataVerify']);
      assert.equal(text.data.result, '0');
      assert.equal(text.data.signVerify, '文件不是 PDF 或 OFD 格式的证照版式文件');
      assert.equal(text.data.message, '文件不是 PDF 或 OFD 格式的证照版式文件');
      assert.equal(text.data.detail, 'the bytes are neither a PDF nor a ZIP package');
      assert.deepEqual(JSON.parse(text.data.dataVerify), { outcome: 'not-a-layout-file', format: null, certificateId: null, signedAt: null, copy: null });
      // Base64 with line breaks (as MIME writes it) is base64.
      const wrapped = Buffer.from('x'.repeat(200)).toString('base64').replace(/.{76}/g, '$&\r\n');
      assert.equal((await verify({ fileFormat: 'OFD', fileEntity: wrapped })).data.result, '0');

      assert.deepEqual((await verify({ fileFormat: 'pdf', fileEntity: '%PDF-1.7 not base64!' })).head,
        { status: '24', message: '申请下载的证照数据无法解析: data.fileEntity is not base64' });
      assert.deepEqual((await verify({ fileFormat: 'pdf', fileEntity: 'QUJD=' })).head.status, '24');
      assert.deepEqual((await verify({})).head, { status: '12', message: '必填参数为空: data.fileFormat, data.fileEntity' });
      assert.deepEqual((await verify({ fileFormat: 'pdf' })).head, { status: '12', message: '必填参数为空: data.fileEntity' });
      assert.deepEqual((await verify({ fileFormat: 'docx', fileEntity: 'QUJD' })).head, { status: '24', message: '申请下载的证照数据无法解析: data.fileFormat must be pdf or ofd' });
      assert.deepEqual((await verify({ fileFormat: 'pdf', fileEntity: { bytes: 1 } })).head, { status: '24', message: '申请下载的证照数据无法解析: data.fileEntity must be a string (字符串)' });

      // Files are large: this interface takes bodies up to ZHENGZHAO_FILE_BODY_LIMIT, the others ZHENGZHAO_BODY_LIMIT.
      const big = Buffer.alloc(150 * 1024, 7).toString('base64');
      assert.equal((await verify({ fileFormat: 'pdf', fileEntity: big })).data.result, '0');
      const tooBig = await call('VerifyCertificateFile', as({ fileFormat: 'pdf', fileEntity: Buffer.alloc(FILE_BODY_LIMIT).toString('base64') }));
      assert.equal(tooBig.status, 413);
      assert.deepEqual(tooBig.json, { head: { status: '99', message: '其他异常: request body too large' } });
      const bigRetrieval = await call('Retrieval', as({ certificateHolderCode: PERSON.code, useFor: '01', padding: big }));
      assert.equal(bigRetrieval.status, 413);
      assert.deepEqual(bigRetrieval.json, { head: { status: '99', message: '其他异常: request body too large' } });
      const bigIf = await call('VerifyEncryptedCertificateID', as({ encryptedId: big }));
      assert.deepEqual(bigIf.json, { ifResult: '99', ifResultInfo: '其他异常: request body too large' });
    });

    test('6.5.3 verification of an encrypted ID (table 13): VerifyResult true, or false for forged, expired, or unusable', { skip }, async () => {
      const r = await call('GetEncryptedCertificateID', as({ certificateHolderCode: PERSON.code, certificateType: '结婚证' }));
      const encryptedId = r.json.ifResultInfo[0].encryptedId as string;
      const verify = async (body: Record<string, unknown>) => (await call('VerifyEncryptedCertificateID', { head: { accountId: sys.accountId, accessToken: sys.accessToken }, ...body })).json;
      assert.deepEqual(await verify({ encryptedId }), { ifResult: '0', ifResultInfo: [{ VerifyResult: 'true' }], VerifyResult: 'true' });
      assert.deepEqual(await verify({ data: { encryptedId, useFor: '03' } }), { ifResult: '0', ifResultInfo: [{ VerifyResult: 'true' }], VerifyResult: 'true' });
      const forged = encryptedId.slice(0, 20) + (encryptedId[20] === 'Z' ? 'Y' : 'Z') + encryptedId.slice(21);
      assert.deepEqual(await verify({ encryptedId: forged }),
        { ifResult: '0', ifResultInfo: [{ VerifyResult: 'false', reason: '加密电子证照标识无效（伪造、篡改或不完整）' }], VerifyResult: 'false' });
      const ids = await FIXTURE.idsByStatus(node.baseUrl);
      const make = new EncryptedIds(keys, 600);
      const marriageId = new EncryptedIds(keys, 600).check(encryptedId);
      assert.ok(marriageId.ok);
      const cases: [string, string][] = [
        [make.issue(marriageId.grant.certificateId, Date.now() - 3_600_000).encryptedId, '加密电子证照标识已过期'],
        [make.issue(ids.abolished).encryptedId, '该电子证照已废止或注销'],
        [make.issue(ids.expired).encryptedId, '该电子证照已过期'],
        [make.issue(ids.suspended).encryptedId, '该电子证照已受限使用'],
        [make.issue('1.2.156.3005.2.111000000000131433001.11330105002500287C.NOSUCH.001.0').encryptedId, '未找到匹配的证照信息'],
      ];
      for (const [id, reason] of cases) {
        assert.deepEqual(await verify({ encryptedId: id }), { ifResult: '0', ifResultInfo: [{ VerifyResult: 'false', reason }], VerifyResult: 'false' });
      }
      assert.deepEqual(await verify({}), { ifResult: '12', ifResultInfo: '必填参数为空: encryptedId' });
      assert.deepEqual(await verify({ encryptedId: 42 }), { ifResult: '24', ifResultInfo: '申请下载的证照数据无法解析: encryptedId must be a string (字符串)' });
      assert.deepEqual((await call('VerifyEncryptedCertificateID', { encryptedId })).json, { ifResult: '11', ifResultInfo: '身份验证失败: head.accountId and head.accessToken are required' });
    });

    test('GB 18030: requests in GB18030, GBK or GB2312 are read, answers come back in GB18030; bad bytes and charsets answer 24', { skip }, async () => {
      const body = JSON.stringify(as({ certificateHolderCode: PERSON.code, certificateType: '结婚证', useFor: '01' }));
      for (const label of ['GB18030', 'gbk', 'GB2312']) {
        const r = await send('Retrieval', iconv.encode(body, 'gb18030'), { 'content-type': `application/json; charset=${label}` });
        assert.equal(r.type, 'application/json; charset=GB18030');
        assert.ok(r.bytes.includes(iconv.encode('接口调用成功', 'gb18030')), 'the message is in GB 18030 bytes');
        assert.ok(!r.bytes.includes(Buffer.from('接口调用成功', 'utf8')));
        assert.deepEqual(r.json.head, { status: '0', message: '接口调用成功' });
        assert.equal(r.json.data.dataList[0].issueDept, '××市××区民政局');
      }
      // A character outside GBK (four bytes in GB 18030) goes in and comes back intact.
      const rare = '𠀀证';
      const r = await send('Retrieval', iconv.encode(JSON.stringify(as({ certificateHolderCode: PERSON.code, certificateType: rare, useFor: '01' })), 'gb18030'),
        { 'content-type': 'application/json;charset="gb18030"' });
      assert.ok(r.bytes.includes(iconv.encode(rare, 'gb18030')));
      assert.equal(iconv.encode(rare, 'gb18030').length, 6);
      assert.deepEqual(r.json.head, { status: '13', message: `证照类型不存在或未发布: ${rare}` });
      // The ifResult interfaces too.
      const enc = await send('GetEncryptedCertificateID', iconv.encode(JSON.stringify(as({ certificateHolderCode: PERSON.code, certificateType: '结婚证' })), 'gb18030'),
        { 'content-type': 'application/json; charset=GB18030' });
      assert.equal(enc.type, 'application/json; charset=GB18030');
      assert.equal(enc.json.ifResultInfo[0].certificateType, '结婚证');
      // UTF-8 stays UTF-8.
      const utf8 = await send('Retrieval', body, { 'content-type': 'application/json; charset=utf-8' });
      assert.equal(utf8.type, 'application/json; charset=utf-8');
      assert.ok(utf8.bytes.includes(Buffer.from('接口调用成功', 'utf8')));

      const badGb = Buffer.concat([Buffer.from('{"head":{"accountId":"'), Buffer.from([0x81, 0x7f]), Buffer.from('"}}')]);
      const g = await send('Retrieval', badGb, { 'content-type': 'application/json; charset=GB18030' });
      assert.equal(g.status, 400);
      assert.equal(g.type, 'application/json; charset=GB18030');
      assert.deepEqual(g.json, { head: { status: '24', message: '申请下载的证照数据无法解析: malformed request: the body is not valid GB 18030' } });
      const badUtf8 = Buffer.concat([Buffer.from('{"data":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
      assert.deepEqual((await send('Retrieval', badUtf8)).json, { head: { status: '24', message: '申请下载的证照数据无法解析: malformed request: the body is not valid UTF-8' } });
      // GB 18030 bytes sent as if UTF-8 are caught the same way.
      assert.equal((await send('Retrieval', iconv.encode(body, 'gb18030'))).json.head.status, '24');
      assert.deepEqual((await send('Retrieval', body, { 'content-type': 'application/json; charset=big5' })).json,
        { head: { status: '24', message: '申请下载的证照数据无法解析: malformed request: unsupported charset big5: send UTF-8 or GB18030 (GBK, GB2312)' } });
    });

    test('every interface answers bad JSON, a missing head, an unknown charset and an oversized body in its own shape', { skip }, async () => {
      const shapes: Record<string, 'head' | 'ifResult'> = {
        Register: 'head', Retrieval: 'head', GetCertificateFileByHolder: 'head', GetCertificateFileByCertificateID: 'head', GetCertificateFileByEncryptedID: 'head',
        GetCertificateDataByHolder: 'head', GetCertificateDataByCertificateID: 'head', GetEncryptedCertificateID: 'ifResult',
        GetEncryptedCertificateIDQRCode: 'head', VerifyCertificate: 'ifResult', VerifyCertificateFile: 'head', VerifyEncryptedCertificateID: 'ifResult',
      };
      const codeOf = (json: any, shape: string) => (shape === 'head' ? [json.head.status, json.head.message] : [json.ifResult, json.ifResultInfo]);
      for (const [name, shape] of Object.entries(shapes)) {
        const bad = await send(name, '{"head": [');
        assert.equal(bad.status, 400, name);
        assert.equal(codeOf(bad.json, shape)[0], '24', name);
        assert.match(codeOf(bad.json, shape)[1], /^申请下载的证照数据无法解析: malformed request: /, name);
        const anonymous = await call(name, { data: {} });
        assert.deepEqual(codeOf(anonymous.json, shape), name === 'Register'
          ? ['12', '必填参数为空: systemName, systemIp, deptCode, deptName']
          : ['11', '身份验证失败: head.accountId and head.accessToken are required'], name);
        const charset = await send(name, '{}', { 'content-type': 'application/json; charset=latin1' });
        assert.deepEqual(codeOf(charset.json, shape), ['24', '申请下载的证照数据无法解析: malformed request: unsupported charset latin1: send UTF-8 or GB18030 (GBK, GB2312)'], name);
        const limit = name === 'VerifyCertificateFile' ? FILE_BODY_LIMIT : BODY_LIMIT;
        const huge = await call(name, as({ padding: 'x'.repeat(limit) }));
        assert.equal(huge.status, 413, name);
        assert.deepEqual(codeOf(huge.json, shape), ['99', '其他异常: request body too large'], name);
      }
    });

    test('unreadable requests answer in the dialect: bad JSON, wrong shapes, forms, unknown interfaces; never a 500', { skip }, async () => {
      const badJson = await send('Retrieval', '{"head": {"accountId": ');
      assert.equal(badJson.status, 400);
      assert.equal(badJson.json.head.status, '24');
      assert.match(badJson.json.head.message, /^申请下载的证照数据无法解析: malformed request: /);
      assert.deepEqual((await send('Retrieval', '[1, 2]')).json, { head: { status: '24', message: '申请下载的证照数据无法解析: the body must be a JSON object' } });
      assert.deepEqual((await call('Retrieval', { head: 'me', data: {} })).json, { head: { status: '24', message: '申请下载的证照数据无法解析: head must be a JSON object' } });
      assert.deepEqual((await call('Retrieval', { head: as({}).head, data: 'x' })).json, { head: { status: '24', message: '申请下载的证照数据无法解析: data must be a JSON object' } });
      assert.deepEqual((await send('Retrieval', '{"__proto__": {"x": 1}}')).json.head.status, '24');
      assert.deepEqual((await send('Retrieval', '')).json, { head: { status: '11', message: '身份验证失败: head.accountId and head.accessToken are required' } });
      const form = await send('Retrieval', 'accountId=x', { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(form.status, 415);
      assert.deepEqual(form.json, { head: { status: '24', message: '申请下载的证照数据无法解析: unsupported content type application/x-www-form-urlencoded' } });
      const unknown = await call('GetCertificateType', as({}));
      assert.equal(unknown.status, 404);
      assert.deepEqual(unknown.json, { head: { status: '2', message: '证照源未提供此服务接口: POST /sichuan/v1/GetCertificateType' } });
      const ifShape = await send('VerifyCertificate', 'nonsense', { 'content-type': 'text/plain' });
      assert.equal(ifShape.status, 415);
      assert.deepEqual(ifShape.json, { ifResult: '24', ifResultInfo: '申请下载的证照数据无法解析: unsupported content type text/plain' });

      // Every call was recorded, refusals included, with the purpose as the document names it.
      const rows = JSON.parse(cli(b, ['usage', '--json', '--limit', '2000']).stdout) as any[];
      const mine = rows.filter((x) => x.dialect === 'sichuan');
      assert.ok(mine.some((x) => x.interface === 'Retrieval' && x.resultCode === '11'), 'the refused Retrieval is recorded with 11');
      assert.ok(mine.some((x) => x.interface === 'GetCertificateFileByHolder' && x.reason === '共享应用' && x.resultCode === '0' && x.certificateIds.length === 1), 'the download by holder is recorded with its reason and certificate');
      assert.ok(mine.some((x) => x.interface === 'VerifyCertificateFile' && x.resultCode === 'file:not-a-layout-file'), 'the file verification is recorded with its outcome');
      // The refused symbology (PDF417) is recorded with its code; GM is drawn where libzint is installed.
      assert.ok(mine.some((x) => x.interface === 'GetEncryptedCertificateIDQRCode' && x.resultCode === '24'), 'the refused QR code request is recorded with 24');
      assert.equal(cli(b, ['usage', 'verify']).status, 0, 'the usage chain is intact');
    });
  });
}
