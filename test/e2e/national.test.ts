import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { startNode, cli, type RunningNode } from '../support/node-process.js';
import { sm3Hex, hmacSm3 } from '../../src/crypto/sm3.js';
import { sm2Verify } from '../../src/crypto/sm2.js';
import { canonicalJson } from '../../src/domain/canonical.js';
import { cstCompactDate } from '../../src/domain/dates.js';
import { fixtureLines, PERSON, ORG, FIXTURE, PHOTO } from './national-fixture.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const today = () => cstCompactDate(new Date());

// Probed once, before any suite runs: a suite's synchronous child processes would stall the probe.
const pgSkip = await postgresSkip();

for (const backendName of BACKENDS) {
  describe(`national interface over HTTP (${backendName})`, async () => {
    const skip = backendName === 'postgres' ? pgSkip : false;
    let b: Backend;
    let node: RunningNode;
    let base: string;
    let hmacSecret: string;

    /** Form POST exactly as appendix C sends it. */
    const form = async (name: string, params: Record<string, string>, account = 'prov') => {
      const token = account === 'ZJ1001' ? sm3Hex(account + today()) : hmacSm3(Buffer.from(hmacSecret), account + today()).toString('hex');
      const body = new URLSearchParams({ AccountId: account, AccessToken: token, ...params });
      const res = await fetch(`${base}/elssp/v1/${name}`, { method: 'POST', body });
      return { http: res.status, json: (await res.json()) as { head: { status: string; message: string }; data?: any } };
    };
    const raw = async (name: string, body: string, contentType: string) => {
      const res = await fetch(`${base}/elssp/v1/${name}`, { method: 'POST', body, headers: { 'content-type': contentType } });
      return { http: res.status, json: (await res.json()) as { head: { status: string; message: string } } };
    };

    before(async () => {
      if (skip) return;
      b = await makeBackend(backendName);
      node = await startNode(b);
      base = node.baseUrl;
      const created = cli(b, ['accounts', 'add', '--id', 'prov', '--name', '省级共享系统']);
      assert.equal(created.status, 0, created.stderr);
      hmacSecret = JSON.parse(created.stdout).secret;
      assert.ok(hmacSecret.length >= 20);
      const c = cli(b, ['accounts', 'add', '--id', 'ZJ1001', '--name', '附录C', '--scheme', 'appendix-c', '--ip', '127.0.0.1/32', '--ip', '::1']);
      assert.equal(c.status, 0, c.stderr);
      assert.equal(JSON.parse(c.stdout).secret, undefined);
      const far = cli(b, ['accounts', 'add', '--id', 'FAR', '--name', '异地', '--scheme', 'appendix-c', '--ip', '10.255.255.1/32']);
      assert.equal(far.status, 0, far.stderr);
      const dir = mkdtempSync(join(tmpdir(), 'zz-fixture-'));
      const file = join(dir, 'certs.ndjson');
      writeFileSync(file, fixtureLines().join('\n') + '\n');
      const imp = cli(b, ['import', file, '--json']);
      // The fixture's invalid lines fail the command; the valid ones are written.
      assert.equal(imp.status, 1, imp.stderr);
      const report = JSON.parse(imp.stdout);
      assert.equal(report.inserted, FIXTURE.valid);
      assert.equal(report.rejected, FIXTURE.invalid);
      assert.match(imp.stderr, /line 7: certificateHolderCode: /);
      assert.match(imp.stderr, /line 8: not valid JSON/);
      assert.match(imp.stderr, /line 9: issueDeptCode: /);
      const again = JSON.parse(cli(b, ['import', file, '--json']).stdout);
      assert.equal(again.inserted, 0, 'a second import changes nothing');
      assert.equal(again.existing, FIXTURE.valid);
    });
    after(async () => {
      if (skip) return;
      await node?.stop();
      await b?.cleanup();
    });

    test('appendix C client: form POST, SM3 token, file by holder, then the file itself', { skip }, async () => {
      const r = await form('GetCertificateFileByHolder', {
        CertificateHolderCode: PERSON.code, CertificateHolderType: '111', CertificateType: '中华人民共和国机动车驾驶证',
        CertificateNumber: '330320542338', UseFor: '办理机动车年检',
      }, 'ZJ1001');
      assert.equal(r.http, 200);
      assert.deepEqual(r.json.head, { status: '0', message: '接口调用成功' });
      assert.equal(r.json.data.total, 1);
      const item = r.json.data.dataList[0];
      assert.equal(item.certificateType, '中华人民共和国机动车驾驶证');
      assert.equal(item.certificateNumber, '330320542338');
      assert.equal(item.issueDate, '2019年5月6日');
      assert.equal(item.fileFormat, 'pdf');
      const file = await fetch(item.fileUrl);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'application/pdf');
      const bytes = Buffer.from(await file.arrayBuffer());
      assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
      if (has('pdftotext')) {
        const dir = mkdtempSync(join(tmpdir(), 'zz-pdf-'));
        writeFileSync(join(dir, 'f.pdf'), bytes);
        const text = spawnSync('pdftotext', [join(dir, 'f.pdf'), '-'], { encoding: 'utf8' }).stdout;
        assert.match(text, /机动车驾驶证/);
        assert.match(text, /C1/);
      }
      // The URL token is encrypted and authenticated: one altered character is refused.
      // The picture field travels as base64 in the structured data.
      const data = await form('GetCertificateDataByHolder', { CertificateHolderCode: PERSON.code, CertificateType: '中华人民共和国机动车驾驶证', UseFor: '办理机动车年检' });
      const photo = data.json.data.dataList[0].surface.find((x: any) => x.columnName === 'KZ_ZP');
      assert.deepEqual(photo, { name: '照片', value: PHOTO, valueType: 'picture', columnName: 'KZ_ZP' });
      const token = item.fileUrl.split('/files/')[1] as string;
      const altered = token.slice(0, 30) + (token[30] === 'A' ? 'B' : 'A') + token.slice(31);
      assert.equal((await fetch(`${base}/files/${altered}`)).status, 403);
      assert.ok(!token.includes(PERSON.code) && !Buffer.from(token, 'base64url').includes(Buffer.from('330320542338')));
    });

    test('appendix-c accounts are refused from addresses they did not list', { skip }, async () => {
      const token = sm3Hex('FAR' + today());
      const res = await fetch(`${base}/elssp/v1/Retrieval`, { method: 'POST', body: new URLSearchParams({ AccountId: 'FAR', AccessToken: token, CertificateHolderCode: PERSON.code, UseFor: 'x' }) });
      assert.deepEqual(((await res.json()) as any).head, { status: '11', message: '身份验证不通过' });
    });

    test('Retrieval answers appendix D, without abolished certificates', { skip }, async () => {
      const r = await form('Retrieval', { CertificateHolderCode: PERSON.code, CertificateHolderType: '111', UseFor: '婚姻登记' });
      assert.equal(r.json.head.status, '0');
      const list = r.json.data.dataList as any[];
      assert.equal(r.json.data.total, list.length);
      const types = list.map((x) => x.certificateType).sort();
      assert.deepEqual(types, ['中华人民共和国机动车驾驶证', '居民身份证', '结婚证']);
      const marriage = list.find((x) => x.certificateType === '结婚证');
      assert.deepEqual(Object.keys(marriage).sort(), ['certificateID', 'certificateNumber', 'certificateType', 'issueDate', 'issueDept']);
      assert.equal(marriage.certificateNumber, 'J320000-2011-001327');
      assert.equal(marriage.issueDate, '2014年3月4日');
      assert.match(marriage.certificateID, /^1\.2\.156\.3005\.2\.111000000000131433001\.11330105002500287C\.[0-9A-Z]+\.001\.[0-9A-Z]$/);
      // JSON bodies with the same names are accepted too.
      const token = hmacSm3(Buffer.from(hmacSecret), 'prov' + today()).toString('hex');
      const j = await raw('Retrieval', JSON.stringify({ AccountId: 'prov', AccessToken: token, CertificateHolderCode: PERSON.code, CertificateType: '结婚证', UseFor: 'x' }), 'application/json');
      assert.equal(j.json.head.status, '0');
      assert.equal((j.json as any).data.total, 1);
    });

    test('GetCertificateDataByCertificateID answers F.2 with a signature anyone can check', { skip }, async () => {
      const list = await form('Retrieval', { CertificateHolderCode: ORG.code, UseFor: '社团年检' });
      const id = (list.json.data.dataList as any[]).find((x) => x.certificateType === '社会团体法人登记证书').certificateID;
      const r = await form('GetCertificateDataByCertificateID', { CertificateID: id, UseFor: '社团年检' });
      assert.equal(r.json.head.status, '0');
      const item = r.json.data.dataList[0];
      assert.equal(item.certificateHolder, ORG.name);
      assert.equal(item.certificateHolderCode, ORG.code);
      assert.equal(item.certificateHolderType, '001');
      assert.equal(item.issueDate, '2011年11月1日');
      assert.equal(item.certificateValidateStart, '2011年11月1日');
      assert.deepEqual(item.surface.map((s: any) => s.columnName), ['KZ_MC', 'KZ_YWFW', 'KZ_ZS', 'KZ_FDDBR', 'KZ_HDDY', 'KZ_ZCZJ', 'KZ_YWZGDW']);
      assert.equal(item.surface[1].value, '学术研究、采访报道、交流联系、组织比赛');
      assert.equal(item.detail[0].group, '年检记录');
      assert.equal(item.detail[0].datalist.length, 4);
      assert.equal(item.detail[0].datalist[2].value, '2014年');

      const keys = (await (await fetch(`${base}/.well-known/zhengzhao/keys`)).json()) as any;
      const key = keys.keys[0];
      assert.equal(key.userId, '1234567812345678');
      assert.match(key.publicKeyPem, /BEGIN PUBLIC KEY/);
      assert.match(key.certificatePem, /^-----BEGIN CERTIFICATE-----/);
      if (has('openssl')) {
        const dir = mkdtempSync(join(tmpdir(), 'zz-cert-'));
        writeFileSync(join(dir, 'c.pem'), key.certificatePem);
        const pub = spawnSync('openssl', ['x509', '-in', join(dir, 'c.pem'), '-noout', '-pubkey'], { encoding: 'utf8' }).stdout;
        assert.equal(pub, key.publicKeyPem, 'the published certificate certifies the published key');
      }
      const { digitalSign, ...signed } = item;
      const bytes = Buffer.from(canonicalJson(signed), 'utf8');
      assert.ok(sm2Verify(bytes, Buffer.from(digitalSign, 'base64'), key.publicKeyHex), 'signature verifies with the published key');
      const tampered = Buffer.from(canonicalJson({ ...signed, certificateHolder: '别人' }), 'utf8');
      assert.ok(!sm2Verify(tampered, Buffer.from(digitalSign, 'base64'), key.publicKeyHex));

      if (has('jq') && has('openssl')) {
        // The README's recipe: jq canonicalises the response item, OpenSSL checks the signature.
        const dir = mkdtempSync(join(tmpdir(), 'zz-sig-'));
        writeFileSync(join(dir, 'item.json'), JSON.stringify(item, null, 2));
        writeFileSync(join(dir, 'keys.json'), JSON.stringify(keys));
        writeFileSync(join(dir, 'sig.der'), Buffer.from(digitalSign, 'base64'));
        const sh = (c: string) => spawnSync('sh', ['-c', c], { cwd: dir, encoding: 'utf8' });
        // The signing key is chosen by its use: the published list ends with the exchange (encryption) key.
        assert.equal(keys.keys.at(-1).use, 'encrypt');
        assert.equal(sh(`jq -r '[.keys[] | select(.use == "sign")][-1].publicKeyPem' keys.json > node.pem`).status, 0);
        assert.equal(sh(`jq -cjS 'del(.digitalSign)' item.json > signed.bin`).status, 0);
        const v = sh('openssl pkeyutl -verify -pubin -inkey node.pem -rawin -in signed.bin -sigfile sig.der -digest sm3 -pkeyopt distid:1234567812345678');
        assert.match(v.stdout + v.stderr, /Signature Verified Successfully/);
      }
    });

    test('GetCertificateDataByHolder answers F.1 and needs the certificate type', { skip }, async () => {
      const r = await form('GetCertificateDataByHolder', { CertificateHolderCode: PERSON.code, CertificateHolderType: '111', CertificateType: '结婚证', UseFor: '婚姻登记' });
      assert.equal(r.json.head.status, '0');
      assert.equal(r.json.data.dataList[0].certificateHolder, PERSON.name);
      assert.equal(r.json.data.dataList[0].certificateValidateEnd, '长期');
      const missing = await form('GetCertificateDataByHolder', { CertificateHolderCode: PERSON.code, UseFor: 'x' });
      assert.equal(missing.json.head.status, '12');
      assert.match(missing.json.head.message, /^要求必填的输入参数值为空: CertificateType/);
    });

    test('GetCertificateFileByCertificateID and GetCertificateType (F.3)', { skip }, async () => {
      const list = await form('Retrieval', { CertificateHolderCode: PERSON.code, CertificateType: '结婚证', UseFor: 'x' });
      const id = list.json.data.dataList[0].certificateID;
      const r = await form('GetCertificateFileByCertificateID', { CertificateID: id, UseFor: '婚姻登记' });
      assert.equal(r.json.head.status, '0');
      assert.equal(r.json.data.dataList[0].certificateID, id);
      assert.equal((await fetch(r.json.data.dataList[0].fileUrl)).status, 200);
      const t = await form('GetCertificateType', {});
      assert.equal(t.json.head.status, '0');
      assert.equal(t.json.data.total, String(t.json.data.dataList.length));
      const marriage = t.json.data.dataList.find((x: any) => x.certificateTypeCode === '111000000000131433001');
      assert.equal(marriage.certificateType, '结婚证');
      assert.equal(marriage.certificateDefineAuthorityCode, '111000000000131433');
      assert.deepEqual(Object.keys(marriage).sort(), ['certificateDefineAuthorityCode', 'certificateDefineAuthorityName', 'certificateHolderCategory',
        'certificateType', 'certificateTypeCode', 'relatedItemCode', 'relatedItemName', 'validityRange']);
    });

    test('VerifyCertificate (appendix G): true, false, and the status codes 21/22/23', { skip }, async () => {
      const claim = {
        certificateType: '结婚证', certificateNumber: 'J320000-2011-001327', certificateHolder: PERSON.name,
        certificateHolderCode: PERSON.code, issueDept: '××市××区民政局', issueDate: '2014年3月4日',
      };
      const v = (data: object, extra: Record<string, string> = {}) =>
        form('VerifyCertificate', { CertificateHolderCode: PERSON.code, CertificateData: JSON.stringify(data), UseFor: '核验', ...extra });
      let r = await v(claim);
      assert.deepEqual(r.json, { head: { status: '0', message: '接口调用成功' }, data: { verifyResult: 'true' } });
      r = await v({ ...claim, issueDate: '2014-03-04' });
      assert.equal(r.json.data.verifyResult, 'true', 'dates compare as dates');
      r = await v({ ...claim, issueDate: '2014年3月5日' });
      assert.equal(r.json.data.verifyResult, 'false');
      r = await v({ ...claim, certificateHolder: '李四' });
      assert.equal(r.json.data.verifyResult, 'false');
      r = await v({ ...claim, certificateType: '离婚证', certificateNumber: 'J320000-2011-001328' });
      assert.deepEqual(r.json.head, { status: '21', message: '该电子证照已废止或注销' });
      r = await v({ ...claim, certificateType: '居民身份证', certificateNumber: PERSON.code, issueDept: 'x', issueDate: '2001-01-01' });
      assert.deepEqual(r.json.head, { status: '22', message: '该电子证照已过期' });
      r = await v({ certificateType: '营业执照', certificateNumber: ORG.code, certificateHolder: ORG.name, certificateHolderCode: ORG.code, issueDept: 'x', issueDate: '2015-01-01' }, { CertificateHolderCode: ORG.code });
      assert.deepEqual(r.json.head, { status: '23', message: '该电子证照已受限使用' });
      r = await v({ ...claim, certificateNumber: 'NO-SUCH' });
      assert.equal(r.json.head.status, '10');
      r = await v({ ...claim, certificateNumber: '' });
      assert.equal(r.json.head.status, '12');
      r = await form('VerifyCertificate', { CertificateHolderCode: PERSON.code, CertificateData: '{not json', UseFor: '核验' });
      assert.deepEqual(r.json.head, { status: '24', message: '申请查验的证照数据无法解析: CertificateData is not valid JSON' });
    });

    test('by-ID calls on abolished, expired and suspended certificates answer 21, 22, 23', { skip }, async () => {
      const ids = FIXTURE.idsByStatus(base);
      for (const [name, code] of [['abolished', '21'], ['expired', '22'], ['suspended', '23']] as const) {
        const id = (await ids)[name];
        const d = await form('GetCertificateDataByCertificateID', { CertificateID: id, UseFor: 'x' });
        assert.equal(d.json.head.status, code, `${name} data`);
        const f = await form('GetCertificateFileByCertificateID', { CertificateID: id, UseFor: 'x' });
        assert.equal(f.json.head.status, code, `${name} file`);
      }
    });

    test('bad input gets its appendix A code, never a 500', { skip }, async () => {
      const base1 = { CertificateHolderCode: PERSON.code, UseFor: '办事' };
      const cases: [string, Record<string, string>, string, RegExp?][] = [
        ['Retrieval', { ...base1, CertificateType: '不存在的证照' }, '13'],
        ['Retrieval', { ...base1, CertificateHolderType: '777' }, '14'],
        ['Retrieval', { CertificateHolderCode: '110105194912310021', CertificateHolderType: '111', UseFor: 'x' }, '14', /check digit|GB 11643/i],
        ['Retrieval', { CertificateHolderCode: '91350100M000100Y44', CertificateHolderType: '001', UseFor: 'x' }, '14'],
        ['Retrieval', { CertificateHolderCode: '', UseFor: 'x' }, '12', /CertificateHolderCode/],
        ['Retrieval', { CertificateHolderCode: '91350100M000100Y43', UseFor: 'x' }, '10'],
        ['Retrieval', { ...base1, UseFor: '事'.repeat(201) }, '12', /200/],
        ['GetCertificateDataByHolder', { CertificateHolderCode: PERSON.code, CertificateType: '结婚证' }, '12', /UseFor/],
        ['GetCertificateDataByCertificateID', { CertificateID: '1.2.156.3005.2.11100000000131433001.111101080000576990.4237862345.001.1', UseFor: 'x' }, '10', /malformed/],
        ['GetCertificateDataByCertificateID', { CertificateID: '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U', UseFor: 'x' }, '10'],
        ['GetCertificateDataByCertificateID', { UseFor: 'x' }, '12'],
      ];
      for (const [name, params, code, message] of cases) {
        const r = await form(name, params);
        assert.equal(r.http, 200);
        assert.equal(r.json.head.status, code, `${name} ${JSON.stringify(params).slice(0, 80)} → ${r.json.head.message}`);
        if (message) assert.match(r.json.head.message, message);
      }
      const stale = hmacSm3(Buffer.from(hmacSecret), 'prov' + cstCompactDate(new Date(Date.now() - 2 * 86400_000))).toString('hex');
      const old = await raw('Retrieval', new URLSearchParams({ AccountId: 'prov', AccessToken: stale, CertificateHolderCode: PERSON.code, UseFor: 'x' }).toString(), 'application/x-www-form-urlencoded');
      assert.deepEqual(old.json.head, { status: '11', message: '身份验证不通过' });
      const forged = await raw('Retrieval', new URLSearchParams({ AccountId: 'prov', AccessToken: sm3Hex('prov' + today()), CertificateHolderCode: PERSON.code, UseFor: 'x' }).toString(), 'application/x-www-form-urlencoded');
      assert.equal(forged.json.head.status, '11', 'an hmac-sm3 account does not accept the appendix C token');
      const anon = await raw('Retrieval', new URLSearchParams({ CertificateHolderCode: PERSON.code, UseFor: 'x' }).toString(), 'application/x-www-form-urlencoded');
      assert.equal(anon.json.head.status, '11');
      const badJson = await raw('Retrieval', '{"AccountId": ', 'application/json');
      assert.equal(badJson.http, 400);
      assert.equal(badJson.json.head.status, '24');
      const typed = await raw('Retrieval', JSON.stringify({ AccountId: 'prov', AccessToken: ['x'] }), 'application/json');
      assert.equal(typed.json.head.status, '24');
      const big = await raw('Retrieval', 'UseFor=' + 'x'.repeat(2 * 1024 * 1024), 'application/x-www-form-urlencoded');
      assert.equal(big.http, 413);
      assert.equal(big.json.head.status, '99');
      const xml = await raw('Retrieval', '<a/>', 'application/xml');
      assert.equal(xml.http, 415);
      const unknown = await raw('NoSuchService', '{}', 'application/json');
      assert.equal(unknown.http, 404);
      assert.equal(unknown.json.head.status, '2');
    });

    test('GB/T 36906 names (query, queryinfo, downloadfile, verifyinfo) reach the same core', { skip }, async () => {
      const head = { accountId: 'prov', accessToken: hmacSm3(Buffer.from(hmacSecret), 'prov' + today()).toString('hex') };
      const post = async (name: string, data: object) => (await raw(name, JSON.stringify({ head, data }), 'application/json')).json as any;
      const q = await post('query', { certificateHolderCode: PERSON.code, certificateTypeCode: '111000000000131433001', certificateCopyCause: '婚姻登记' });
      assert.equal(q.head.status, '0');
      const id = q.data[0].certificateIdentifier;
      assert.equal(q.data[0].certificateName, '结婚证');
      const info = await post('queryinfo', { certificateIdentifier: id, useFor: '婚姻登记' });
      assert.equal(info.data.certificateData.certificateNumber, 'J320000-2011-001327');
      const dl = await post('downloadfile', { certificateIdentifier: id, certificateCopyCause: '婚姻登记' });
      // Table 4: data.contentType is 下载地址协议代码, the protocol of data.content (this node serves http).
      assert.equal(dl.data.contentType, 'http');
      assert.equal(new URL(dl.data.content).protocol, 'http:');
      assert.equal((await fetch(dl.data.content)).status, 200);
      const v = await post('verifyinfo', { certificateData: { certificateType: '结婚证', certificateNumber: 'J320000-2011-001327', certificateHolder: PERSON.name, certificateHolderCode: PERSON.code, issueDept: '××市××区民政局', issueDate: '2014-03-04' } });
      assert.equal(v.data.result, '1');
      // The core names a missing input canonically; each name set shows its own parameter name.
      const missing = await post('queryinfo', { useFor: 'x' });
      assert.deepEqual(missing.head, { status: '12', message: '要求必填的输入参数值为空: data.certificateIdentifier' });
      const flat = await form('GetCertificateDataByCertificateID', { UseFor: 'x' });
      assert.deepEqual(flat.json.head, { status: '12', message: '要求必填的输入参数值为空: CertificateID' });
      const claim = await form('VerifyCertificate', { CertificateData: JSON.stringify({ certificateType: '结婚证' }), UseFor: 'x' });
      assert.match(claim.json.head.message, /CertificateData\.certificateNumber, CertificateData\.certificateHolder, CertificateData\.certificateHolderCode/);
    });

    test('table 5 (queryinfo): exactly the table\'s inputs answer F.2; data.metadataRange picks the items', { skip }, async () => {
      const head = { accountId: 'prov', accessToken: hmacSm3(Buffer.from(hmacSecret), 'prov' + today()).toString('hex') };
      const post = async (data: object) => (await raw('queryinfo', JSON.stringify({ head, data }), 'application/json')).json as any;
      const list = await form('Retrieval', { CertificateHolderCode: ORG.code, UseFor: '社团年检' });
      const id = (list.json.data.dataList as any[]).find((x) => x.certificateType === '社会团体法人登记证书').certificateID;
      // 输入参数: head.accountId, head.accessToken, data.certificateIdentifier, data.metadataRange (信息项范围, names as in F.2).
      const all = await post({ certificateIdentifier: id });
      assert.deepEqual(all.head, { status: '0', message: '接口调用成功' });
      assert.deepEqual(Object.keys(all.data.certificateData).sort(), [
        'certificateHolder', 'certificateHolderCode', 'certificateHolderType', 'certificateID', 'certificateName', 'certificateNumber', 'certificateType',
        'certificateTypeCode', 'certificateValidateEnd', 'certificateValidateStart', 'detail', 'digitalSign', 'issueDate', 'issueDept', 'issueDeptCode', 'surface']);
      const some = await post({ certificateIdentifier: id, metadataRange: 'certificateType,certificateHolder,issueDate' });
      assert.deepEqual(some.data.certificateData, { certificateType: '社会团体法人登记证书', certificateHolder: ORG.name, issueDate: '2011年11月1日' });
      const listed = await post({ certificateIdentifier: id, metadataRange: ['certificateNumber', 'surface'] });
      assert.deepEqual(Object.keys(listed.data.certificateData), ['certificateNumber', 'surface']);
      assert.equal(listed.data.certificateData.surface[0].columnName, 'KZ_MC');
      assert.deepEqual((await post({ certificateIdentifier: id, metadataRange: 'certificateType,KZ_MC' })).head,
        { status: '24', message: '申请查验的证照数据无法解析: data.metadataRange KZ_MC not an item of F.2' });
      // The flat interface of the same table lists UseFor: it still asks for it.
      assert.equal((await form('GetCertificateDataByCertificateID', { CertificateID: id })).json.head.status, '12');
    });

    test('a withdrawn certificate type answers 13 until it is published again', { skip }, async () => {
      const w = cli(b, ['types', 'withdraw', '111000000000131433001']);
      assert.equal(w.status, 0, w.stderr);
      const r = await form('Retrieval', { CertificateHolderCode: PERSON.code, CertificateType: '结婚证', UseFor: '婚姻登记' });
      assert.deepEqual(r.json.head, { status: '13', message: '证照类型不存在或未发布: 结婚证' });
      const listed = await form('GetCertificateType', {});
      assert.ok(!listed.json.data.dataList.some((t: any) => t.certificateType === '结婚证'));
      assert.equal(cli(b, ['types', 'publish', '111000000000131433001']).status, 0);
      assert.equal((await form('Retrieval', { CertificateHolderCode: PERSON.code, CertificateType: '结婚证', UseFor: '婚姻登记' })).json.head.status, '0');
    });

    test('every call was recorded before it was answered', { skip }, async () => {
      const rows = () => {
        const r = cli(b, ['usage', '--holder', PERSON.code, '--limit', '5000', '--json']);
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout) as any[];
      };
      const before = rows();
      assert.ok(before.some((x) => x.resultCode === '0' && x.reason === '办理机动车年检' && x.accountId === 'ZJ1001' && x.interface === 'GetCertificateFileByHolder'));
      assert.ok(before.some((x) => x.resultCode === '21'), 'a refused use of a found certificate names its holder');
      assert.ok(before.every((x) => /^[0-9a-f]{64}$/.test(x.hash)));
      await form('Retrieval', { CertificateHolderCode: PERSON.code, UseFor: '第一次' });
      await form('GetCertificateDataByHolder', { CertificateHolderCode: PERSON.code, UseFor: '第二次' });
      await form('Retrieval', { CertificateHolderCode: PERSON.code, CertificateType: '没有这种证', UseFor: '第三次' });
      const after = rows();
      assert.equal(after.length, before.length + 3);
      assert.deepEqual(after.slice(0, 3).map((x) => [x.interface, x.resultCode, x.reason]), [
        ['Retrieval', '13', '第三次'], ['GetCertificateDataByHolder', '12', '第二次'], ['Retrieval', '0', '第一次']]);
      assert.equal(after[2].certificateIds.length, 3);
      const all = JSON.parse(cli(b, ['usage', '--limit', '5000', '--json']).stdout) as any[];
      assert.ok(all.some((x) => x.resultCode === '11' && x.accountId === 'FAR'), 'refused calls are recorded too');
      const verified = cli(b, ['usage', 'verify', '--json']);
      assert.equal(verified.status, 0, verified.stderr);
      // Every usage record is a leaf (the check names any that is not), beside the catalog's and lifecycle's leaves.
      const v = JSON.parse(verified.stdout) as { checked: number; problem?: unknown; checkpoint?: { size: number } };
      assert.equal(v.problem, undefined);
      assert.ok(v.checked >= all.length, `${v.checked} leaves for ${all.length} usage records`);
      assert.ok(v.checkpoint && v.checkpoint.size <= v.checked);
    });
  });
}

