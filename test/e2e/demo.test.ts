import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeBackend, type Backend } from '../support/backends.js';
import { cli, startNode, type RunningNode } from '../support/node-process.js';
import { AccountService } from '../../src/core/accounts.js';
import { cstCompactDate } from '../../src/domain/dates.js';
import { isValidCitizenId, isValidCreditCode } from '../../src/domain/holder-code.js';

let b: Backend;
let node: RunningNode;
before(async () => {
  b = await makeBackend('embedded');
  // Short-lived download links, so expiry can be seen over HTTP.
  node = await startNode(b, ['--demo'], { ZHENGZHAO_FILE_URL_TTL: '3' });
});
after(async () => {
  await node.stop();
  await b.cleanup();
});

test('serve --demo seeds an empty data directory and writes working credentials', async () => {
  const path = join(b.dataDir, 'demo-credentials.json');
  assert.ok(existsSync(path));
  const creds = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(creds.national.baseUrl, `${node.baseUrl}/elssp/v1`);
  assert.ok(creds.holders.length >= 8);
  for (const h of creds.holders) assert.ok(h.codeType === '111' ? isValidCitizenId(h.code) : isValidCreditCode(h.code), h.code);
  const token = AccountService.expectedToken({ id: creds.national.accountId, scheme: 'hmac-sm3', secret: creds.national.secret }, cstCompactDate(new Date()));
  const post = async (name: string, params: Record<string, string>) =>
    (await (await fetch(`${creds.national.baseUrl}/${name}`, { method: 'POST', body: new URLSearchParams({ AccountId: creds.national.accountId, AccessToken: token, ...params }) })).json()) as any;
  const r = await post('Retrieval', { CertificateHolderCode: creds.holders[0].code, UseFor: '演示' });
  assert.equal(r.head.status, '0');
  assert.ok(r.data.total >= 1);
  // The Sichuan interface: a registration made from loopback and approved, its token in the credentials.
  assert.equal(creds.sichuan.apiRoot, `${node.baseUrl}/sichuan/v1`);
  assert.equal(creds.sichuan.systemIp, '127.0.0.1');
  const sichuan = (await (await fetch(`${creds.sichuan.apiRoot}/Retrieval`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ head: { accountId: creds.sichuan.accountId, accessToken: creds.sichuan.accessToken }, data: { certificateHolderCode: creds.holders[0].code, useFor: '01' } }),
  })).json()) as any;
  assert.deepEqual(sichuan.head, { status: '0', message: '接口调用成功' });
  assert.equal(sichuan.data.total, r.data.total);
  const types = await post('GetCertificateType', {});
  assert.deepEqual(types.data.dataList.map((t: any) => t.certificateType).sort(),
    ['机动车驾驶证', '营业执照', '社会团体法人登记证书', '结婚证', '居民身份证', '离婚证'].sort());
  // The demo has abolished, suspended and expired certificates among its usable ones.
  const codes = new Set<string>();
  for (const id of creds.certificateIds) codes.add((await post('GetCertificateDataByCertificateID', { CertificateID: id, UseFor: '演示' })).head.status);
  for (const h of creds.holders) codes.add((await post('GetCertificateDataByHolder', { CertificateHolderCode: h.code, CertificateType: '机动车驾驶证', UseFor: '演示' })).head.status);
  assert.ok(codes.has('0'), [...codes].join());
  assert.ok([...codes].some((c) => ['21', '22', '23'].includes(c)), `some demo certificates are not usable: ${[...codes].join()}`);

  // The Zaozhuang interface: the demo account logs in and holds every role.
  const zz = creds.zaozhuang;
  assert.equal(zz.apiRoot, `${node.baseUrl}/license-api-release`);
  const grant = (await (await fetch(zz.tokenUrl, { method: 'POST', body: new URLSearchParams({
    client_id: zz.clientId, client_secret: zz.clientSecret, grant_type: 'password', scope: 'read write', username: zz.username, password: zz.password,
  }) })).json()) as any;
  assert.equal(grant.expires_in, 43199);
  const info = (await (await fetch(`${zz.apiRoot}/m/v/license/external/api/ShareQueryCertInfoByHolder`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ access_token: grant.access_token, certificateHolderCode: creds.holders[0].code, certTypeCode: types.data.dataList.find((t: any) => t.certificateType === '机动车驾驶证').certificateTypeCode,
      certificateSystemName: '演示', certificateCallCategory: '1', certificateMatterName: '演示', certificateEventCode: 'DEMO', certificateCopyCause: '演示' }) })).json()) as any;
  assert.ok(['0', '10', '21', '22', '23'].includes(info.head.status), JSON.stringify(info));

  const link = await post('GetCertificateFileByCertificateID', { CertificateID: creds.certificateIds[0], UseFor: '演示' });
  assert.equal(link.head.status, '0');
  const url = link.data.dataList[0].fileUrl as string;
  assert.equal((await fetch(url)).status, 200);
  await new Promise((r) => setTimeout(r, 4200));
  const late = await fetch(url);
  assert.equal(late.status, 410);
  assert.deepEqual(await late.json(), { error: 'download link expired' });
});

test('the README\'s national call: token --from-credentials gives the token the node takes', async () => {
  const creds = JSON.parse(readFileSync(join(b.dataDir, 'demo-credentials.json'), 'utf8'));
  const r = cli(undefined, ['token', '--id', creds.national.accountId, '--from-credentials'], undefined, { ZHENGZHAO_DATA: b.dataDir });
  assert.equal(r.status, 0, r.stderr);
  const body = new URLSearchParams({ AccountId: creds.national.accountId, AccessToken: r.stdout.trim(), CertificateHolderCode: creds.holders[0].code, UseFor: '办理演示业务' });
  const answer = await (await fetch(`${creds.national.baseUrl}/Retrieval`, { method: 'POST', body })).json() as { head: { status: string; message: string } };
  assert.equal(answer.head.status, '0', answer.head.message);
  const c = cli(undefined, ['token', '--id', creds.national.appendixC.accountId, '--from-credentials'], undefined, { ZHENGZHAO_DATA: b.dataDir });
  assert.equal(c.stdout.trim(), AccountService.expectedToken({ id: creds.national.appendixC.accountId, scheme: 'appendix-c' }, cstCompactDate(new Date())));
});

test('the demo registers a YRD trusted app; `zhengzhao yrd` signs as it: a token, a retrieval, the holder\'s view', async () => {
  const creds = JSON.parse(readFileSync(join(b.dataDir, 'demo-credentials.json'), 'utf8'));
  assert.equal(creds.yrd.apiRoot, `${node.baseUrl}/yrd/v1`);
  assert.match(creds.yrd.appId, /^YRDAPP[0-9A-F]{16}$/);
  const holder = creds.holders[0].code as string;
  const token = cli(b, ['yrd', 'token', holder, '--permission', 'retrieve,usage@*']);
  assert.equal(token.status, 0, token.stderr);
  const t = token.stdout.trim();
  assert.match(t, /^YRDT1\./);
  const found = cli(b, ['yrd', 'call', '/certificates/retrieval', JSON.stringify({ trustedToken: t })]);
  assert.equal(found.status, 0, found.stderr);
  const reply = JSON.parse(found.stdout);
  assert.equal(reply.code, 0, reply.msg);
  const list = JSON.parse(reply.data.dataList) as { CertificateHolderCode: string }[];
  assert.ok(list.length >= 1 && list.every((c) => c.CertificateHolderCode === holder));
  const uses = JSON.parse(cli(b, ['yrd', 'call', '/holder/usage', JSON.stringify({ trustedToken: t }), '--no-scene']).stdout);
  assert.equal(uses.code, 0, uses.msg);
  assert.equal(JSON.parse(uses.data.dataList)[0].itemCode, creds.yrd.scene.itemCode);
  // Without the scene the call is refused with the field named.
  const bareRun = cli(b, ['yrd', 'call', '/certificates/retrieval', JSON.stringify({ trustedToken: t }), '--no-scene']);
  assert.equal(bareRun.status, 1, 'a refused call fails the command');
  const bare = JSON.parse(bareRun.stdout);
  assert.equal(bare.code, 12);
  assert.match(bare.msg, /UseFor/);
});
