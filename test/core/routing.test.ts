import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { RoutingService } from '../../src/core/routing.js';
import type { MemberDirectory, Onward, RemoteNode, RoutedOperation } from '../../src/core/reach/transport.js';
import type { CallContext } from '../../src/core/sharing.js';
import { wasRecorded } from '../../src/core/sharing.js';
import { ReturnCode, ServiceError } from '../../src/domain/return-codes.js';
import { formatCertificateId } from '../../src/domain/identifier.js';
import { makeCitizenId, makeCreditCode } from '../../src/domain/holder-code.js';
import type { Certificate } from '../../src/domain/model.js';
import { makeBackend, type Backend } from '../support/backends.js';

const TYPE = '11100000000019713D001';
const OWN = makeCreditCode('1', '1', '510104', '006122244');
const FOREIGN = makeCreditCode('1', '1', '330106', '002500287');
const holder = makeCitizenId('510104', '19900101', 7);
const cert = (issuer: string, serial: string, extra: Partial<Certificate> = {}): Certificate => ({
  id: formatCertificateId({ typeCode: TYPE, issuerCode: issuer, serial, version: '001' }), typeCode: TYPE, typeName: '机动车驾驶证', name: '机动车驾驶证',
  number: serial, holder: { name: '王五', code: holder, codeType: '111' }, issuer: { name: '发证机关', code: issuer }, issueDate: '2020-01-01',
  status: 'issued', version: 1, surface: [], detail: [], ...extra,
});

/** A remote node whose answers the test scripts; it notes every call it gets. */
class FakeNode implements RemoteNode {
  calls: { op: RoutedOperation; on: Onward }[] = [];
  answers: Partial<Record<RoutedOperation, (on: Onward) => unknown>> = {};
  constructor(readonly name: string, private readonly offered: RoutedOperation[] | 'all' = 'all') {}
  offers(op: RoutedOperation) { return this.offered === 'all' || this.offered.includes(op); }
  private run<T>(op: RoutedOperation, on: Onward): Promise<T> {
    this.calls.push({ op, on });
    const a = this.answers[op];
    if (!a) return Promise.reject(new ServiceError(ReturnCode.NotFound));
    try { return Promise.resolve(a(on) as T); } catch (err) { return Promise.reject(err); }
  }
  retrieve(on: Onward) { return this.run<any>('retrieve', on); }
  dataByHolder(on: Onward) { return this.run<any>('dataByHolder', on); }
  filesByHolder(on: Onward) { return this.run<any>('filesByHolder', on); }
  dataById(on: Onward) { return this.run<any>('dataById', on); }
  fileById(on: Onward) { return this.run<any>('fileById', on); }
  verify(on: Onward) { return this.run<any>('verify', on); }
  listTypes(on: Onward) { return this.run<any>('listTypes', on); }
}

const refuse = (code: ReturnCode, detail?: string) => () => { throw new ServiceError(code, detail); };

describe('routing of sharing calls', () => {
  let b: Backend;
  let s: Services;
  let hub: FakeNode;
  let province: RoutingService;
  const ctx = (over: Partial<CallContext> = {}): CallContext => ({ dialect: 'national', interface: 'test', accountId: 'clerk', reason: '办理', ...over });
  const usage = async (correlationId: string) => (await s.usage.list({ limit: 1000 })).filter((r) => r.correlationId === correlationId);

  const own = cert(OWN, 'OWN1');
  const ownAbolished = cert(OWN, 'OWN2', { status: 'abolished' });
  const heldForeign = cert(FOREIGN, 'HELD1');
  const remote = cert(FOREIGN, 'FAR1');

  before(async () => {
    b = await makeBackend();
    s = await openServices(loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }, {}), { warn: () => {} });
    await s.types.insertIfMissing({ code: TYPE, name: '机动车驾驶证', fields: [], status: 'published', isOpen: true });
    for (const c of [own, ownAbolished, heldForeign]) await s.certs.insert(c);
    hub = new FakeNode('hub');
    province = new RoutingService(s.sharing, s.certs, s.types, { role: 'province', areaCode: '510000', hub });
  });
  after(async () => {
    await s.close();
    await b.cleanup();
  });

  test('by ID: its own area and what it holds are answered here; another region\'s goes to the hub with the reason, correlation ID and hop count', async () => {
    hub.calls = [];
    assert.equal((await province.dataById(ctx(), own.id)).id, own.id);
    assert.equal((await province.dataById(ctx(), heldForeign.id)).id, heldForeign.id);
    await assert.rejects(province.dataById(ctx(), formatCertificateId({ typeCode: TYPE, issuerCode: OWN, serial: 'NONE', version: '001' })), { code: '10' });
    assert.equal(hub.calls.length, 0);
    hub.answers.dataById = () => remote;
    const c = ctx({ correlationId: 'by-id' });
    assert.equal((await province.dataById(c, remote.id, { hops: 0, budgetMs: 900 })).id, remote.id);
    assert.deepEqual(hub.calls.map((x) => x.on), [{ reason: '办理', correlationId: 'by-id', hops: 1, budgetMs: 900 }]);
    const rows = await usage('by-id');
    assert.deepEqual(rows.map((r) => [r.resultCode, r.context?.relayedTo, r.certificateIds]), [['0', 'hub', [remote.id]]]);
  });

  test('by ID: what the province can check itself is refused before a hop; a call that came from another node is never sent on', async () => {
    hub.calls = [];
    const c = ctx({ reason: '' });
    const err = await province.dataById(c, remote.id).catch((e) => e);
    assert.equal(err.code, '12');
    assert.ok(wasRecorded(c, err), 'recorded on the call object');
    assert.ok(!wasRecorded(ctx(), err), 'another call knows nothing of it');
    await assert.rejects(province.dataById(ctx(), remote.id, { hops: 2 }), { code: '10' });
    assert.equal(hub.calls.length, 0);
  });

  test('by ID through an interface with no reason field (ZWFW C 0124 table 5): answered here, and sent on saying no reason was asked', async () => {
    hub.calls = [];
    hub.answers.dataById = () => remote;
    assert.equal((await province.dataById(ctx({ reason: undefined, reasonNotAsked: true }), own.id)).id, own.id);
    const c = ctx({ reason: undefined, reasonNotAsked: true, correlationId: 'no-reason-field' });
    assert.equal((await province.dataById(c, remote.id)).id, remote.id);
    assert.deepEqual(hub.calls.map((x) => x.on.reason), ['未说明（调用接口无事由字段）']);
    await assert.rejects(province.dataById(ctx({ reason: undefined }), own.id), { code: '12' }, 'an interface with the field must still fill it');
  });

  test('by holder: its own and the hub\'s merged without duplicates; the hub down leaves the own answer; nothing anywhere gives the worst refusal', async () => {
    // The hub's catalog still lists ownAbolished (not aggregated yet): for its own area the province's word stands.
    hub.answers.retrieve = () => [remote, own, ownAbolished];
    const list = await province.retrieve(ctx({ correlationId: 'merge' }), { holderCode: holder });
    assert.ok(!list.some((c) => c.id === ownAbolished.id));
    // Its own two first (as its store orders them), then the hub's one it did not have.
    assert.deepEqual(list.slice(0, 2).map((c) => c.id).sort(), [own.id, heldForeign.id].sort());
    assert.deepEqual(list.slice(2).map((c) => c.id), [remote.id]);
    // One record for the part answered here, one for the hop.
    assert.deepEqual((await usage('merge')).map((r) => r.context?.relayedTo ?? 'here').sort(), ['here', 'hub']);

    hub.answers.retrieve = refuse(ReturnCode.ThirdPartyTimeout, 'the hub did not answer');
    assert.ok((await province.retrieve(ctx(), { holderCode: holder })).length >= 2, 'the own certificates still answer');

    // Only an abolished one here, the hub has none: 21 (it exists, unusable) beats 10.
    const other = makeCitizenId('510104', '19800101', 3);
    await s.certs.insert(cert(OWN, 'OTHER1', { holder: { name: '赵六', code: other, codeType: '111' }, status: 'abolished' }));
    hub.answers.dataByHolder = refuse(ReturnCode.NotFound);
    await assert.rejects(province.dataByHolder(ctx(), { holderCode: other, typeName: '机动车驾驶证' }), { code: '21' });
    // …but a hub that could not ask an owner beats both: the answer is incomplete.
    hub.answers.dataByHolder = refuse(ReturnCode.ThirdPartyTimeout);
    await assert.rejects(province.dataByHolder(ctx(), { holderCode: other, typeName: '机动车驾驶证' }), { code: '1' });
    // Bad input is refused here, the hub never asked.
    hub.calls = [];
    await assert.rejects(province.dataByHolder(ctx(), { holderCode: holder }), { code: '12' });
    await assert.rejects(province.retrieve(ctx(), { holderCode: '11010519491231002Y', holderType: '111' }), { code: '14' });
    assert.equal(hub.calls.length, 0);
  });

  test('by holder with a type code (GB/T 36906): sent on by the name the catalog gives it', async () => {
    hub.calls = [];
    hub.answers.retrieve = () => [];
    await province.retrieve(ctx(), { holderCode: holder, typeCode: TYPE });
    assert.equal(hub.calls.length, 1);
  });

  test('verification: a claim about a certificate held here is decided here; otherwise the hub decides', async () => {
    hub.calls = [];
    const claim = { typeName: '机动车驾驶证', number: 'OWN1', holderName: '王五', holderCode: holder, issuerName: '发证机关', issueDate: '2020-01-01' };
    assert.equal(await province.verify(ctx(), { ...claim, holderName: '假名' }), false);
    assert.equal(hub.calls.length, 0);
    hub.answers.verify = () => true;
    assert.equal(await province.verify(ctx(), { ...claim, number: 'FAR1' }), true);
    assert.equal(hub.calls.length, 1);
  });

  describe('at the hub', () => {
    let hubRouting: RoutingService;
    const b = new FakeNode('151');
    const c = new FakeNode('144', ['dataById']);
    const members: MemberDirectory = {
      node: async (ds) => ({ '151': b, '144': c } as Record<string, RemoteNode>)[ds],
      dataSourceOf: async (account) => (account === 'sc-province' ? '151' : account === 'zj-province' ? '133' : undefined),
    };
    const cat = (issuer: string, serial: string, dataSource: string | undefined, code = catalogHolder) =>
      cert(issuer, serial, { holder: { name: '钱七', code, codeType: '111' }, dataSource });
    const catalogHolder = makeCitizenId('330106', '19700101', 5);

    before(async () => {
      hubRouting = new RoutingService(s.sharing, s.certs, s.types, { role: 'hub', members });
      for (const x of [cat(FOREIGN, 'CAT1', '151'), cat(FOREIGN, 'CAT2', '144'), cat(FOREIGN, 'CAT3', '133'), cat(FOREIGN, 'CAT4', undefined, makeCitizenId('330106', '19700101', 6))]) {
        await s.certs.insert(x);
      }
    });

    test('by ID: to the owner its catalog names; an owner not offering the call, or not registered, answers 2; a forwarded call is not forwarded again', async () => {
      b.answers.dataById = () => cat(FOREIGN, 'CAT1', '151');
      const id1 = cat(FOREIGN, 'CAT1', '151').id;
      assert.equal((await hubRouting.dataById(ctx({ accountId: 'zj-province', correlationId: 'hub-id' }), id1, { hops: 1 })).id, id1);
      assert.deepEqual(b.calls.at(-1)!.on, { reason: '办理', correlationId: 'hub-id', hops: 2, budgetMs: undefined });
      assert.deepEqual((await usage('hub-id')).map((r) => [r.resultCode, r.context?.relayedTo]), [['0', '151']]);
      await assert.rejects(hubRouting.fileById(ctx(), cat(FOREIGN, 'CAT2', '144').id, 'pdf', { hops: 1 }), { code: '2', detail: '144 does not offer this interface' });
      await assert.rejects(hubRouting.dataById(ctx(), cat(FOREIGN, 'CAT3', '133').id, { hops: 1 }), { code: '2', detail: 'no member node is registered for data source 133' });
      await assert.rejects(hubRouting.dataById(ctx(), id1, { hops: 2 }), { code: '2' });
      await assert.rejects(hubRouting.dataById(ctx(), formatCertificateId({ typeCode: TYPE, issuerCode: FOREIGN, serial: 'NOPE', version: '001' }), { hops: 1 }), { code: '10' });
    });

    test('by holder: every owner but the calling member, answers merged; a holder only the caller has is 10; entries without a data source 2', async () => {
      b.calls = [];
      b.answers.dataByHolder = () => [cat(FOREIGN, 'CAT1', '151')];
      // The caller is 133 (its own entry is left out); 144 does not offer the call (2); 151 answers.
      const list = await hubRouting.dataByHolder(ctx({ accountId: 'zj-province' }), { holderCode: catalogHolder, typeName: '机动车驾驶证' }, { hops: 1 });
      assert.deepEqual(list.map((x) => x.number), ['CAT1']);
      assert.equal(b.calls.length, 1);
      // The caller is 151 now: 144 cannot answer, 133 is not registered: 2 beats nothing.
      await assert.rejects(hubRouting.dataByHolder(ctx({ accountId: 'sc-province' }), { holderCode: catalogHolder, typeName: '机动车驾驶证' }, { hops: 1 }), { code: '2' });
      await assert.rejects(hubRouting.dataByHolder(ctx(), { holderCode: makeCitizenId('330106', '19700101', 6), typeName: '机动车驾驶证' }, { hops: 1 }), { code: '2' });
      await assert.rejects(hubRouting.dataByHolder(ctx(), { holderCode: makeCitizenId('330106', '19700101', 9), typeName: '机动车驾驶证' }, { hops: 1 }), { code: '10' });
      // Retrieval is the catalog itself: every member's entries, no hop.
      b.calls = [];
      assert.equal((await hubRouting.retrieve(ctx(), { holderCode: catalogHolder })).length, 3);
      assert.equal(b.calls.length, 0);
    });
  });
});
