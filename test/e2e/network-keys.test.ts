import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { startNode, cli, type RunningNode } from '../support/node-process.js';
import { hmacSm3 } from '../../src/crypto/sm3.js';
import { cstCompactDate } from '../../src/domain/dates.js';
import { formatCertificateId } from '../../src/domain/identifier.js';
import { makeCreditCode } from '../../src/domain/holder-code.js';

/**
 * Key distribution in the federation, through real processes: Jiangsu (B, 320000, data source 132)
 * signs a layout file; Shanghai (A, 310000, 131) holds the same certificate record but not B's key,
 * so it cannot call the file genuine. The hub registers B (`nodes add` reads B's published keys) and
 * publishes the network's keys; A takes them (`sync-keys`) and then verifies B's file by itself.
 * When the hub drops B, A's next sync drops B's key again.
 */
const pgSkip = await postgresSkip();

const ISSUER_B = { issueDept: '南京市玄武区民政局', issueDeptCode: makeCreditCode('1', '1', '320102', '002500311'), certificateAreaCode: '320102' };
const MARRIAGE = '111000000000131433001';
const RECORD = {
  certificateID: formatCertificateId({ typeCode: MARRIAGE, issuerCode: ISSUER_B.issueDeptCode, serial: 'JS0001', version: '001' }),
  certificateType: '结婚证', certificateTypeCode: MARRIAGE, certificateName: '结婚证',
  certificateHolder: '李四', certificateHolderCode: '11010519491231002X', certificateHolderType: '111', ...ISSUER_B,
  certificateNumber: 'J320102-2016-000007', issueDate: '2016-05-20', certificateValidateEnd: '长期',
  surface: [{ name: '持证人', columnName: 'KZ_CZR', valueType: 'string', value: '李四' }],
};

describe('network keys: a province verifies another province\'s file with the key its hub distributed', () => {
  let hubB: Backend, aB: Backend, bB: Backend;
  let hub: RunningNode, a: RunningNode, b: RunningNode;
  let pdf: Buffer;
  // A's settings: the command line opens A's database itself and acts as A, with A's hub.
  let aEnv: NodeJS.ProcessEnv;
  const ok = (r: { status: number; stdout: string; stderr: string }) => {
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const verifyAtA = async () => (await (await fetch(`${a.baseUrl}/verify/file`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: pdf })).json()) as any;

  before(async () => {
    [hubB, aB, bB] = await Promise.all([makeBackend('postgres'), makeBackend('postgres'), makeBackend('postgres')]);
    const file = join(mkdtempSync(join(tmpdir(), 'zz-netkeys-')), 'record.ndjson');
    writeFileSync(file, JSON.stringify(RECORD) + '\n');
    for (const backend of [bB, aB]) assert.equal(cli(backend, ['import', file]).status, 0);
    const clerk = ok(cli(bB, ['accounts', 'add', '--id', 'js-clerk', '--name', 'js-clerk', '--json'])) as { id: string; secret: string };
    const atHub = ok(cli(hubB, ['accounts', 'add', '--id', 'sh-province', '--name', 'sh', '--json'])) as { id: string; secret: string };
    hub = await startNode(hubB, ['--role', 'hub'], { ZHENGZHAO_AGGREGATE_INTERVAL: '0', ZHENGZHAO_KEY_SYNC_INTERVAL: '0' });
    aEnv = {
      ZHENGZHAO_AREA_CODE: '310000', ZHENGZHAO_DATA_SOURCE: '131', ZHENGZHAO_KEY_SYNC_INTERVAL: '0',
      ZHENGZHAO_HUB_URL: hub.baseUrl, ZHENGZHAO_HUB_ACCOUNT: atHub.id, ZHENGZHAO_HUB_SECRET: atHub.secret,
    };
    [a, b] = await Promise.all([
      startNode(aB, [], aEnv),
      startNode(bB, [], { ZHENGZHAO_AREA_CODE: '320000', ZHENGZHAO_DATA_SOURCE: '132', ZHENGZHAO_KEY_SYNC_INTERVAL: '0' }),
    ]);
    // B's own file of the certificate: an annotated copy, signed with B's node key.
    const token = hmacSm3(Buffer.from(clerk.secret), clerk.id + cstCompactDate(new Date())).toString('hex');
    const link = (await (await fetch(`${b.baseUrl}/elssp/v1/GetCertificateFileByCertificateID`, {
      method: 'POST', body: new URLSearchParams({ AccountId: clerk.id, AccessToken: token, CertificateID: RECORD.certificateID, UseFor: '长三角通办' }),
    })).json()) as any;
    assert.equal(link.head.status, '0', link.head.message);
    pdf = Buffer.from(await (await fetch(link.data.dataList[0].fileUrl)).arrayBuffer());
  });
  after(async () => {
    await Promise.all([hub?.stop(), a?.stop(), b?.stop()]);
    await Promise.all([hubB?.cleanup(), aB?.cleanup(), bB?.cleanup()]);
  });

  test("without B's key, A does not call B's file genuine", async () => {
    const v = await verifyAtA();
    assert.equal(v.outcome, 'untrusted-signer', JSON.stringify(v));
    assert.equal(v.genuine, false);
  });

  test("nodes add reads B's keys; the hub publishes them with B's data source and area", async () => {
    const n = ok(cli(hubB, ['nodes', 'add', '--data-source', '132', '--name', '江苏', '--area', '320000', '--url', b.baseUrl,
      '--account', 'national-hub', '--secret', 'unused-here', '--json']));
    assert.deepEqual(n.keys, { dataSource: '132', ok: true, keys: 2 });
    const doc = (await (await fetch(`${hub.baseUrl}/.well-known/zhengzhao/network-keys`)).json()) as any;
    const bKeys = (await (await fetch(`${b.baseUrl}/.well-known/zhengzhao/keys`)).json()) as any;
    assert.equal(doc.hub.node.role, 'hub');
    assert.deepEqual(doc.hub.keys.map((k: any) => k.use), ['sign', 'encrypt']);
    assert.deepEqual(doc.nodes.map((x: any) => [x.dataSource, x.name, x.areaCodes]), [['132', '江苏', ['320000']]]);
    assert.deepEqual(doc.nodes[0].keys.map((k: any) => [k.use, k.kid, k.publicKeyHex]).sort(),
      bKeys.keys.map((k: any) => [k.use, k.kid, k.publicKeyHex]).sort(), 'exactly what B publishes');
    // A province publishes only its own keys.
    assert.equal((await fetch(`${a.baseUrl}/.well-known/zhengzhao/network-keys`)).status, 404);
  });

  test("after sync-keys A verifies B's file as genuine by itself, and knows B's keys by kid", async () => {
    const r = ok(cli(aB, ['sync-keys', '--json'], undefined, aEnv));
    assert.deepEqual(r.nodes, [{ dataSource: '132', ok: true, keys: 2 }]);
    const v = await verifyAtA();
    assert.equal(v.outcome, 'genuine', JSON.stringify(v));
    assert.equal(v.certificate.id, RECORD.certificateID);
    const learned = ok(cli(aB, ['keys', 'learned', '--json'])) as any[];
    const bSign = ((await (await fetch(`${b.baseUrl}/.well-known/zhengzhao/keys`)).json()) as any).keys.find((k: any) => k.use === 'sign');
    assert.deepEqual(learned.filter((k) => k.owner === 'network:132').map((k) => [k.use, k.dataSource, k.areaCodes]).sort(),
      [['encrypt', '132', ['320000']], ['sign', '132', ['320000']]]);
    assert.equal(learned.find((k) => k.owner === 'network:132' && k.use === 'sign').publicKeyHex, bSign.publicKeyHex);
    assert.deepEqual(learned.filter((k) => k.owner === 'hub').map((k) => k.use).sort(), ['encrypt', 'sign']);
  });

  test("when the hub drops B, A's next sync drops B's key and B's file is no longer trusted", async () => {
    ok(cli(hubB, ['nodes', 'remove', '132', '--json']));
    const r = ok(cli(aB, ['sync-keys', '--json'], undefined, aEnv));
    assert.deepEqual(r.nodes, []);
    // The command ran in its own process: the node sees the dropped key within its refresh time (5 s).
    let outcome = '';
    for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((res) => setTimeout(res, 500))) {
      outcome = (await verifyAtA()).outcome;
      if (outcome === 'untrusted-signer') break;
    }
    assert.equal(outcome, 'untrusted-signer');
  });
});
