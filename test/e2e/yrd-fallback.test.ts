/**
 * Seed 004 flow f on PostgreSQL: a national hub and three provinces of the region, each a real node
 * process: A (上海 310000), B (江苏 320000, which holds the holder's certificates) and C (浙江 330000).
 * An app of A retrieves with a trusted token for the holder. A holds nothing of them and asks the
 * hub first; with the hub hanging (SIGSTOP) it gives up after its configured timeout and asks B and
 * C directly over the SM2 envelope channel; with the hub stopped it goes direct at once. Either way
 * the answer is B's certificates, and A's use record says which path answered.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { cli, startNode, type RunningNode } from '../support/node-process.js';
import { randomBytes } from 'node:crypto';
import { appCall, registeredApp, trustedToken, type YrdApp } from '../support/yrd-app.js';
import { FIXTURE, fixtureLines, ORG, PERSON } from './national-fixture.js';
import { makeCitizenId, makeCreditCode } from '../../src/domain/holder-code.js';

const pgSkip = await postgresSkip();
const MARRIAGE = '111000000000131433001';
const DRIVING = '11100000000019713D001';
const HUB_TIMEOUT_MS = 3000;
const SCENE = { UseFor: '办理户籍迁移', itemName: '户籍迁移', itemCode: 'YRD-HJ', itemOrg: '上海市公安局', operator: '王五', bizNum: 'BIZ-2026-017' };
const AREAS = { A: '310000', B: '320000', C: '330000' } as const;
/** A holder whose 结婚证 Nanjing issued: its identifier names an issuer of B's area, so by ID it is B's. */
const NANJING = { name: '李四', code: makeCitizenId('320102', '19880808', 21) };
const NANJING_RECORD = {
  certificateType: '结婚证', certificateTypeCode: MARRIAGE, certificateName: '结婚证',
  certificateHolder: NANJING.name, certificateHolderCode: NANJING.code, certificateHolderType: '111',
  issueDept: '南京市玄武区民政局', issueDeptCode: makeCreditCode('1', '1', '320102', '00000101X'), certificateAreaCode: '320102',
  certificateNumber: 'J320102-2020-000321', issueDate: '2020-05-20', certificateValidateEnd: '长期',
  surface: [{ name: '持证人', columnName: 'KZ_CZR', valueType: 'string', value: NANJING.name }],
};
const NAMES = { A: '上海', B: '江苏', C: '浙江' } as const;

describe('YRD flow f: the hub hangs or is down, the provinces answer directly', { skip: pgSkip }, () => {
  let hubB: Backend;
  const back = {} as Record<'A' | 'B' | 'C', Backend>;
  const node = {} as Record<'A' | 'B' | 'C', RunningNode>;
  let hubNode: RunningNode;
  let app: YrdApp;

  const ok = (r: { status: number; stderr: string }) => assert.equal(r.status, 0, r.stderr);

  before(async () => {
    [hubB, back.A, back.B, back.C] = await Promise.all([makeBackend('postgres'), makeBackend('postgres'), makeBackend('postgres'), makeBackend('postgres')]);
    hubNode = await startNode(hubB, ['--role', 'hub'], { ZHENGZHAO_AGGREGATE_INTERVAL: '0' });
    const acc = JSON.parse(cli(hubB, ['accounts', 'add', '--id', 'sh-province', '--name', '上海', '--json']).stdout) as { id: string; secret: string };

    // B holds the holder's certificates; every province knows the types and the item the scene names.
    const file = join(mkdtempSync(join(tmpdir(), 'zz-yrdf-')), 'certs.ndjson');
    writeFileSync(file, [...fixtureLines(), JSON.stringify(NANJING_RECORD)].join('\n') + '\n');
    // The fixture's invalid lines fail the command (status 1); the valid ones are written.
    const imported = cli(back.B, ['import', file, '--json']);
    assert.equal(JSON.parse(imported.stdout).inserted, FIXTURE.valid + 1, imported.stderr);
    for (const p of ['A', 'C'] as const) {
      ok(cli(back[p], ['types', 'add', '--code', MARRIAGE, '--name', '结婚证']));
      ok(cli(back[p], ['types', 'add', '--code', DRIVING, '--name', '中华人民共和国机动车驾驶证']));
    }
    for (const p of ['A', 'B', 'C'] as const) {
      ok(cli(back[p], ['items', 'add', '--code', 'YRD-HJ', '--name', '户籍迁移', '--org-name', '上海市公安局', '--org-code', ORG.code, '--type', MARRIAGE, DRIVING]));
    }
    [node.A, node.B, node.C] = await Promise.all([
      startNode(back.A, ['--area-code', AREAS.A], {
        ZHENGZHAO_DATA_SOURCE: '131', ZHENGZHAO_HUB_URL: hubNode.baseUrl, ZHENGZHAO_HUB_ACCOUNT: acc.id, ZHENGZHAO_HUB_SECRET: acc.secret, ZHENGZHAO_YRD_HUB_TIMEOUT_MS: String(HUB_TIMEOUT_MS),
      }),
      startNode(back.B, ['--area-code', AREAS.B]),
      startNode(back.C, ['--area-code', AREAS.C]),
    ]);
    // The direct channel: A calls B and C; each of them admits A (and learns its keys, with which A's tokens are checked).
    for (const [from, to] of [['A', 'B'], ['A', 'C'], ['B', 'A'], ['C', 'A']] as const) {
      ok(cli(back[from], ['peers', 'add', '--area', AREAS[to], '--name', NAMES[to], '--url', node[to].baseUrl, '--fetch']));
    }
    app = await registeredApp(back.A, node.A.baseUrl, '一网通办', { name: '上海市大数据中心', code: makeCreditCode('1', '1', '310000', 'MB0000001') });
  });
  after(async () => {
    hubNode?.process.kill('SIGCONT');
    await Promise.all([hubNode?.stop(), node.A?.stop(), node.B?.stop(), node.C?.stop()]);
    await Promise.all([hubB?.cleanup(), back.A?.cleanup(), back.B?.cleanup(), back.C?.cleanup()]);
  });

  test('hub hanging: A waits its timeout, then B answers over the direct channel; hub down: at once; the use record names the path', async () => {
    const token = await trustedToken(app, PERSON.code, 'retrieve,usage@*');
    const retrieve = () => appCall(app, '/certificates/retrieval', { trustedToken: token, ...SCENE });

    hubNode.process.kill('SIGSTOP');
    const hung = await retrieve();
    assert.equal(hung.json.code, 0, hung.json.msg);
    const list = JSON.parse(hung.json.data.dataList) as { CertificateTypeCode: string; CertificateNumber: string }[];
    assert.deepEqual(list.map((c) => c.CertificateTypeCode).sort(), [DRIVING, MARRIAGE].sort());
    assert.equal(list.find((c) => c.CertificateTypeCode === MARRIAGE)!.CertificateNumber, 'J320000-2011-001327');
    assert.ok(hung.ms >= HUB_TIMEOUT_MS, `it waited for the hub first (${hung.ms} ms)`);

    hubNode.process.kill('SIGCONT');
    await hubNode.stop();
    const down = await retrieve();
    assert.equal(down.json.code, 0, down.json.msg);
    assert.equal(down.json.data.total, 2);
    // One hub timeout, not two: the hung hub is waited for once, then B is asked directly (a bound, not a
    // measurement: a loaded two-core machine stretches each call by seconds).
    assert.ok(hung.ms < 2 * HUB_TIMEOUT_MS + down.ms, `hung ${hung.ms} ms, direct ${down.ms} ms`);
    assert.ok(down.ms < HUB_TIMEOUT_MS, `with the hub refusing connections A does not wait (${down.ms} ms)`);

    // A's records of both calls: the local part (nothing), and B's certificates by the direct path.
    const uses = await appCall(app, '/holder/usage', { trustedToken: token });
    assert.equal(uses.json.code, 0, uses.json.msg);
    const rows = JSON.parse(uses.json.data.dataList) as { path: string; certificateIds: string[]; itemCode: string; bizNum: string }[];
    const direct = rows.filter((u) => u.path === 'direct');
    assert.equal(direct.length, 2, JSON.stringify(rows));
    for (const u of direct) assert.deepEqual([u.certificateIds.length, u.itemCode, u.bizNum], [2, 'YRD-HJ', 'BIZ-2026-017']);
    assert.equal(rows.filter((u) => u.path === 'local').length, 2);
  });

  test('table 7: a service code issued in B, scanned at A, is decoded by B over the direct channel', async () => {
    const appB = await registeredApp(back.B, node.B.baseUrl, '苏服办', { name: '江苏省大数据管理中心', code: makeCreditCode('1', '1', '320000', 'MB0000002') });
    const holderToken = await trustedToken(appB, PERSON.code, 'code@*');
    const issued = await appCall(appB, '/service-codes', { trustedToken: holderToken });
    assert.equal(issued.json.code, 0, issued.json.msg);
    const qrcode = issued.json.data.qrcode as string;
    assert.ok(qrcode.startsWith(`YRDSC1.${AREAS.B}.`), qrcode);

    const decoded = await appCall(app, '/service-codes/decode', { qrcode, ...SCENE });
    assert.equal(decoded.json.code, 0, decoded.json.msg);
    const user = JSON.parse(decoded.json.data.userinfo);
    assert.equal(user.idNo, `${PERSON.code.slice(0, 6)}********${PERSON.code.slice(-4)}`);
    const certs = JSON.parse(decoded.json.data.certificatelist) as { CertificateTypeCode: string }[];
    assert.deepEqual(certs.map((c) => c.CertificateTypeCode).sort(), [DRIVING, MARRIAGE].sort());
    // A forged code of B's area is refused by B, and A says why.
    const forged = await appCall(app, '/service-codes/decode', { qrcode: `${qrcode.slice(0, -4)}AAAA`, ...SCENE });
    assert.equal(forged.json.code, 51, forged.json.msg);
    assert.match(forged.json.msg, /江苏 \(320000\)/);
  });

  test('table 9, authType 3: a service code issued in B, scanned by an app of A, becomes A\'s trusted token through B', async () => {
    const appB = await registeredApp(back.B, node.B.baseUrl, '苏服办-码', { name: '江苏省大数据管理中心', code: makeCreditCode('1', '1', '320000', 'MB0000003') });
    const qrcode = (await appCall(appB, '/service-codes', { trustedToken: await trustedToken(appB, PERSON.code, 'code@*') })).json.data.qrcode as string;
    const scan = (code: string) => appCall(app, '/trusted-tokens', { transactionId: `T${randomBytes(4).toString('hex')}`, authType: '3', qrCode: code, permission: 'retrieve@*' });

    const issued = await scan(qrcode);
    assert.equal(issued.json.code, 0, issued.json.msg);
    // A's own token (A signed it, for A's app) naming the holder B's code named.
    const claims = JSON.parse(Buffer.from((issued.json.data.trustedToken as string).split('.')[1]!, 'base64url').toString('utf8'));
    assert.deepEqual([claims.iss, claims.sub, claims.sty, claims.auth, claims.app], [AREAS.A, PERSON.code, '111', '3', app.appId]);
    // It works as any token of A: B's certificates of that holder over the direct channel (the hub is down by now).
    const found = await appCall(app, '/certificates/retrieval', { trustedToken: issued.json.data.trustedToken, ...SCENE });
    assert.equal(found.json.code, 0, found.json.msg);
    assert.deepEqual((JSON.parse(found.json.data.dataList) as { CertificateTypeCode: string }[]).map((c) => c.CertificateTypeCode).sort(), [DRIVING, MARRIAGE].sort());

    // B refuses a forged code of its own and A says so (51); a code of an area that is no peer of A stays 53.
    const forged = await scan(`${qrcode.slice(0, -4)}AAAA`);
    assert.equal(forged.json.code, 51, forged.json.msg);
    assert.match(forged.json.msg, /江苏 \(320000\)/);
    const anhui = await scan(qrcode.replace(`YRDSC1.${AREAS.B}.`, 'YRDSC1.340000.'));
    assert.equal(anhui.json.code, 53, anhui.json.msg);

    // B recorded, for the holder to see, that it told A whose the code was.
    const uses = await appCall(appB, '/holder/usage', { trustedToken: await trustedToken(appB, PERSON.code, 'usage@*') });
    assert.equal(uses.json.code, 0, uses.json.msg);
    const redeemed = (JSON.parse(uses.json.data.dataList) as { interface: string; caller: string; result: string }[]).filter((u) => u.interface === 'yrd/RedeemServiceCode');
    assert.deepEqual(redeemed.map((u) => [u.caller, u.result]), [[`peer:${AREAS.A}`, '0']], JSON.stringify(redeemed));
  });

  test('tables 2-5: B\'s certificate asked at A by its ID and by the holder (hub down) comes from B; another holder\'s token is refused', async () => {
    const token = await trustedToken(app, NANJING.code, 'retrieve,info,download@*');
    const found = await appCall(app, '/certificates/retrieval', { trustedToken: token, ...SCENE });
    assert.equal(found.json.code, 0, found.json.msg);
    const id = (JSON.parse(found.json.data.dataList) as { CertificateID: string }[])[0]!.CertificateID;

    const info = await appCall(app, '/certificates/info-by-id', { trustedToken: token, CertificateID: id, ...SCENE });
    assert.equal(info.json.code, 0, info.json.msg);
    const c = JSON.parse(info.json.data.dataList)[0];
    assert.deepEqual([c.CertificateID, c.CertificateNumber, c.surface[0].value], [id, 'J320102-2020-000321', NANJING.name]);
    assert.ok(c.digitalSign.length > 60, 'B\'s structured-data signature comes along');

    const file = await appCall(app, '/certificates/file-by-id', { trustedToken: token, CertificateID: id, ...SCENE });
    assert.equal(file.json.code, 0, file.json.msg);
    const url = JSON.parse(file.json.data.dataList)[0].fileUrl as string;
    assert.ok(url.startsWith(`${node.B.baseUrl}/files/`), url);
    const pdf = Buffer.from(await (await fetch(url)).arrayBuffer());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    // Table 6 (flow f): B's genuine file checked at A, which does not hold it, is checked by B over the direct channel.
    const checked = await appCall(app, '/certificates/verify-file', { fileEntity: pdf.toString('base64'), fileFormat: 'pdf', ...SCENE });
    assert.equal(checked.json.code, 0, checked.json.msg);
    assert.deepEqual([checked.json.data.result, checked.json.data.message, checked.json.data.CertificateID], [1, '验证通过', id]);

    // Tables 3 and 5 by the holder's token: B's link and B's data.
    const files = await appCall(app, '/certificates/file-by-holder', { trustedToken: token, ...SCENE });
    assert.equal(files.json.code, 0, files.json.msg);
    assert.deepEqual(JSON.parse(files.json.data.dataList).map((f: any) => [f.CertificateID, f.fileUrl.startsWith(`${node.B.baseUrl}/files/`)]), [[id, true]]);
    const data = await appCall(app, '/certificates/info-by-holder', { trustedToken: token, ...SCENE, CertificateNumber: 'J320102-2020-000321' });
    assert.equal(data.json.code, 0, data.json.msg);
    assert.deepEqual(JSON.parse(data.json.data.dataList).map((c: any) => [c.CertificateID, c.surface[0].value]), [[id, NANJING.name]]);

    // The holder's token of someone else: B's certificate is not theirs (B refuses, A passes the reason on).
    const other = await trustedToken(app, PERSON.code, 'info@*');
    const refused = await appCall(app, '/certificates/info-by-id', { trustedToken: other, CertificateID: id, ...SCENE });
    assert.equal(refused.json.code, 46, refused.json.msg);
  });

  test('a province checks the token and the scene itself: an item B does not know is refused there', async () => {
    ok(cli(back.A, ['items', 'add', '--code', 'YRD-SH', '--name', '仅上海事项', '--org-name', '上海市公安局', '--org-code', ORG.code, '--type', MARRIAGE]));
    const token = await trustedToken(app, PERSON.code);
    const r = await appCall(app, '/certificates/retrieval', { trustedToken: token, ...SCENE, itemCode: 'YRD-SH', itemName: '仅上海事项' });
    // B and C refuse the item they do not know; A passes their reason on (60), it does not invent certificates.
    assert.equal(r.json.code, 60, JSON.stringify(r.json));
    assert.match(r.json.msg, /YRD-SH is not known here/);
  });
});
