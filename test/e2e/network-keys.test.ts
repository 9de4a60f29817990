import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startNode, cli, cliAsync, type RunningNode } from '../support/node-process.js';
import { generateSm2KeyPair, sm2Sign } from '../../src/crypto/sm2.js';
import { signNetworkKeys } from '../../src/federation/network-keys-signature.js';
import { hmacSm3 } from '../../src/crypto/sm3.js';
import { cstCompactDate } from '../../src/domain/dates.js';
import { formatCertificateId } from '../../src/domain/identifier.js';
import { makeCreditCode } from '../../src/domain/holder-code.js';

/**
 * Key distribution in the federation, through real processes: Jiangsu (B, 320000, data source 132)
 * signs a layout file; Shanghai (A, 310000, 131) holds the same certificate record but not B's key,
 * so it cannot call the file genuine. The hub registers B (`nodes add` reads B's published keys) and
 * publishes the network's keys; A takes them (`sync-keys`) and then verifies B's file by itself.
 * When the hub drops B, A's next sync drops B's key again. The document is signed by the hub's node
 * key: one altered on the way (by a proxy in this test process that edits the hub's real answer),
 * unsigned, or signed by any other key is refused, and what A learned before stays.
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
    // Signed by the hub's node key, which A took on first contact and holds to from now on.
    const hubSign = ((await (await fetch(`${hub.baseUrl}/.well-known/zhengzhao/keys`)).json()) as any).keys.find((k: any) => k.use === 'sign');
    assert.equal(r.signedBy, hubSign.kid);
    assert.equal(r.trust, 'first-use');
    assert.equal(learned.find((k) => k.owner === 'hub' && k.use === 'sign').publicKeyHex, hubSign.publicKeyHex);
  });

  test('a network-keys document altered on the way, unsigned or signed by another key is refused; a genuine one is taken', async () => {
    const genuine = (await (await fetch(`${hub.baseUrl}/.well-known/zhengzhao/network-keys`)).json()) as any;
    assert.equal(typeof genuine.signature, 'string');
    assert.ok(Math.abs(Date.parse(genuine.issuedAt) - Date.now()) < 60_000, genuine.issuedAt);
    const intruder = generateSm2KeyPair();
    const intruderKey = { kid: 'sm2-intruder', use: 'sign', publicKeyHex: intruder.publicKey };
    // Each edit of the hub's real document a man in the middle might make.
    const edits: Record<string, (doc: any) => any> = {
      altered: (doc) => ({ ...doc, nodes: doc.nodes.map((n: any) => ({ ...n, keys: n.keys.map((k: any) => (k.use === 'sign' ? { ...k, publicKeyHex: intruder.publicKey } : k)) })) }),
      unsigned: ({ signKid: _k, signature: _s, ...doc }) => doc,
      resigned: ({ signKid: _k, signature: _s, ...doc }) => signNetworkKeys({ ...doc, hub: { ...doc.hub, keys: [intruderKey] } },
        (data) => ({ kid: intruderKey.kid, signature: sm2Sign(data, intruder.privateKey).toString('base64') })),
    };
    let edit = edits.altered!;
    const proxy: Server = createServer((req, res) => {
      void (async () => {
        const upstream = await fetch(`${hub.baseUrl}${req.url}`);
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(edit(await upstream.json())));
      })();
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const viaProxy = { ...aEnv, ZHENGZHAO_HUB_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` };
    const bSignBefore = (ok(cli(aB, ['keys', 'learned', '--owner', 'network:', '--json'])) as any[]).find((k) => k.use === 'sign').publicKeyHex;
    try {
      const expected: Record<string, RegExp> = { altered: /does not check with hub key/, unsigned: /no signKid and signature/, resigned: /not a hub key this node trusts/ };
      for (const [name, f] of Object.entries(edits)) {
        edit = f;
        const r = await cliAsync(aB, ['sync-keys', '--json'], viaProxy);
        assert.notEqual(r.status, 0, `${name}: ${r.stdout}`);
        assert.match(r.stderr, expected[name]!, name);
      }
      // The pinned key decides even on first contact: a genuine document checks against it, another key's does not.
      edit = (doc) => doc;
      const pinnedRight = await cliAsync(aB, ['sync-keys', '--json'], { ...viaProxy, ZHENGZHAO_HUB_KEY: genuine.hub.keys.find((k: any) => k.use === 'sign').publicKeyHex });
      assert.equal(pinnedRight.status, 0, pinnedRight.stderr);
      assert.equal(JSON.parse(pinnedRight.stdout).trust, 'pinned');
      const pinnedWrong = await cliAsync(aB, ['sync-keys', '--json'], { ...viaProxy, ZHENGZHAO_HUB_KEY: intruder.publicKey });
      assert.notEqual(pinnedWrong.status, 0);
      assert.match(pinnedWrong.stderr, /does not check with hub key/);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
    const after = ok(cli(aB, ['keys', 'learned', '--json'])) as any[];
    assert.equal(after.find((k) => k.owner === 'network:132' && k.use === 'sign').publicKeyHex, bSignBefore, 'B\'s key as the hub published it');
    assert.ok(!after.some((k) => k.publicKeyHex === intruder.publicKey), 'the intruder\'s key was learned nowhere');
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
