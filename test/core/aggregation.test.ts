import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { Exchange } from '../../src/core/aggregation/exchange.js';
import type { WriteContext } from '../../src/core/issuing.js';
import type { CallContext } from '../../src/core/usage.js';
import { ServiceError } from '../../src/domain/return-codes.js';
import type { Db } from '../../src/store/db.js';
import { catalogRow, holderOf, idFor, ISSUER, ISSUER_NAME, MARRIAGE, MARRIAGE_TYPE } from '../support/catalog-rows.js';
import { makeBackend, type Backend } from '../support/backends.js';

const ctx: WriteContext = { operator: { account: 'clerk', name: '登记员', divisionCode: '110105' }, itemCode: 'BJ-MZ', itemName: '婚姻登记', caller: { app: 'test-app' } };
const call: CallContext = { dialect: 'national', interface: 'GetCertificateDataByCertificateID', accountId: 'test', reason: '办理测试业务' };
const fields = (i: number, name = `持证人${i}`) => ({ CZR: name, CYRSFZJHM: holderOf(i), JHZZH: `J110105-2026-${String(i).padStart(7, '0')}`, FZRQ: '2025-06-01' });

interface LicRow { ID: number; CertificateSourceId: string; Cd_operation: string; Cd_batch: string; Cd_time: string; DataSource: string; CertificateHolder: string }

/** A Db whose transactions fail from the n-th on: a process that dies between two commits. */
function failingAfter(db: Db, n: number): Db {
  let count = 0;
  return {
    ...db, query: db.query.bind(db), exec: db.exec.bind(db), close: db.close.bind(db),
    transaction: (fn) => (++count >= n ? Promise.reject(new Error('killed')) : db.transaction(fn)),
  };
}

/**
 * A province and a hub, each on a database of its own, in this process: the province's lifecycle writes land in its
 * lic_data in the same transaction; the exchange moves them (and errors back) exactly once; the
 * hub applies I, U and D.
 */
describe('catalog aggregation between a province and a hub', () => {
  const backends: Backend[] = [];
  let p: Services;
  let h: Services;
  const licData = async (s: Services, after = 0) =>
    s.db.query<LicRow>('select "ID", "CertificateSourceId", "Cd_operation", "Cd_batch", "Cd_time"::text, "DataSource", "CertificateHolder" from front.lic_data where "ID" > $1 order by "ID"', [after]);
  const exchange = (chunk = 5000, hub: Db = h.db) => new Exchange(p.db, hub, chunk).run();

  before(async () => {
    for (let i = 0; i < 2; i++) backends.push(await makeBackend());
    p = await openServices(loadConfig({ data: backends[0]!.dataDir, databaseUrl: backends[0]!.databaseUrl }, {}), { warn: () => {} });
    h = await openServices(loadConfig({ data: backends[1]!.dataDir, databaseUrl: backends[1]!.databaseUrl, role: 'hub' }, {}), { warn: () => {} });
    for (const s of [p, h]) await s.catalog.add(MARRIAGE_TYPE);
    await p.items.add({ code: 'BJ-MZ', name: '婚姻登记', orgName: ISSUER_NAME, orgCode: ISSUER, areaCode: '110105', typeCodes: [MARRIAGE] });
  });
  after(async () => {
    await p.close();
    await h.close();
    for (const b of backends) await b.cleanup();
  });

  test('sign, change and abolish each write their lic_data row in their own transaction', async () => {
    const a = await p.issuing.create(MARRIAGE, fields(1), ctx);
    assert.equal((await licData(p)).length, 0, 'a draft is not reported');
    await p.issuing.sign(MARRIAGE, a.id, ctx);
    const changed = await p.issuing.change(MARRIAGE, a.id, fields(1, '持证人一'), ctx);
    const b = await p.issuing.create(MARRIAGE, fields(2), ctx);
    await p.issuing.sign(MARRIAGE, b.id, ctx);
    await p.issuing.abolish(MARRIAGE, b.id, ctx, '吊销');
    const rows = await licData(p);
    assert.deepEqual(rows.map((r) => [r.CertificateSourceId, r.Cd_operation]), [
      [a.id, 'I'], [a.id, 'D'], [changed.id, 'I'], [b.id, 'I'], [b.id, 'D'],
    ]);
    const { batch } = await p.front.state();
    assert.ok(rows.every((r) => r.Cd_batch === batch && r.DataSource === '111' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(r.Cd_time)));
    assert.equal(rows[2]!.CertificateHolder, '持证人一', 'the successor carries the changed data');

    // A failed write reports nothing: abolishing twice fails, and leaves no row.
    await assert.rejects(p.issuing.abolish(MARRIAGE, b.id, ctx, '再次'));
    assert.equal((await licData(p)).length, 5);
  });

  test('batch sign and import report in the chunk\'s transaction, one insert per chunk', async () => {
    const before = (await licData(p)).at(-1)!.ID;
    const made = await p.batches.create(MARRIAGE, [10, 11, 12].map((i) => ({ fields: fields(i) })), ctx);
    assert.equal((await licData(p, before)).length, 0);
    await p.batches.sign(MARRIAGE, { ids: made.items.map((i) => i.id!) }, ctx);
    assert.deepEqual((await licData(p, before)).map((r) => r.Cd_operation), ['I', 'I', 'I']);

    const file = join(backends[0]!.dataDir, 'import.ndjson');
    const rec = (i: number, status?: string) => JSON.stringify({
      certificateType: '结婚证', certificateTypeCode: MARRIAGE, certificateName: '结婚证', certificateHolder: `导入${i}`,
      certificateHolderCode: holderOf(i), certificateHolderType: '111', issueDept: ISSUER_NAME, issueDeptCode: ISSUER,
      certificateNumber: `IMP-${i}`, issueDate: '2020-01-01', certificateAreaCode: '110105', ...(status ? { status } : {}),
    });
    writeFileSync(file, [rec(20), rec(21, 'abolished'), rec(22)].join('\n') + '\n');
    const { importer, close } = p.importer();
    try { await importer.importFile(file, 0); } finally { await close(); }
    assert.deepEqual((await licData(p, before)).slice(3).map((r) => r.Cd_operation), ['I', 'D', 'I']);
  });

  test('the exchange moves every new row once, closes the batch, and a second run moves nothing', async () => {
    const sent = await licData(p);
    const oldBatch = (await p.front.state()).batch;
    const first = await exchange(4);
    assert.equal(first.rows, sent.length);
    assert.deepEqual(first.batches, [{ batch: oldBatch, rows: sent.length }]);
    assert.notEqual((await p.front.state()).batch, oldBatch, 'the next writes get a new Cd_batch');
    const again = await exchange();
    assert.equal(again.rows, 0);
    const hubRows = await licData(h);
    assert.deepEqual(hubRows.map((r) => [r.CertificateSourceId, r.Cd_operation, r.Cd_time]), sent.map((r) => [r.CertificateSourceId, r.Cd_operation, r.Cd_time]));
  });

  test('an exchange that dies between chunks resumes without duplicating a row', async () => {
    for (const i of [30, 31, 32, 33, 34]) {
      const c = await p.issuing.create(MARRIAGE, fields(i), ctx);
      await p.issuing.sign(MARRIAGE, c.id, ctx);
    }
    const before = (await licData(h)).length;
    await assert.rejects(exchange(2, failingAfter(h.db, 2)), /killed/);
    assert.equal((await licData(h)).length, before + 2, 'the first chunk committed with its cursor');
    const rest = await exchange(2);
    assert.equal(rest.rows, 3);
    const ids = (await licData(h)).map((r) => r.CertificateSourceId);
    assert.equal(ids.length, before + 5);
    assert.equal(new Set(ids.slice(before)).size, 5);
  });

  test('the hub applies I, U and D; an abolished certificate answers 21; each batch is reconciled', async () => {
    const summary = await h.aggregator.run();
    const sent = await licData(p);
    assert.equal(summary.read, sent.length);
    assert.equal(summary.rejected, 0);
    const shared = await h.certs.findByHolder({ holderCode: holderOf(1) }, false);
    assert.deepEqual(shared.map((c) => [c.status, c.holder.name, c.dataSource]).sort(), [['abolished', '持证人1', '111'], ['issued', '持证人一', '111']]);
    const abolished = sent.find((r) => r.Cd_operation === 'D' && r.CertificateHolder === '持证人2')!.CertificateSourceId;
    await assert.rejects(h.sharing.dataById(call, abolished), (e: ServiceError) => String(e.code) === '21');
    const imported = await h.certs.findByHolder({ holderCode: holderOf(21) }, false);
    assert.equal(imported[0]!.status, 'abolished', 'an abolished import is reported as D');

    const report = await h.aggregator.report();
    assert.equal(report.pending, 0);
    assert.ok(report.batches.length >= 2);
    for (const b of report.batches) assert.equal(b.state, 'reconciled', JSON.stringify(b));
    assert.equal(report.batches.reduce((n, b) => n + Number(b.received), 0), sent.length);

    // U rewrites the entry; D of a certificate the hub never saw records it abolished; I re-shares.
    const id = idFor(500);
    await h.db.transaction((tx) => h.front.insertRows(tx, [
      catalogRow(500), catalogRow(500, { operation: 'U', holderName: '改名', time: '2026-01-01 11:00:00' }),
      catalogRow(501, { operation: 'D' }),
    ]));
    const r2 = await h.aggregator.run();
    assert.deepEqual([r2.read, r2.applied, r2.rejected], [3, 3, 0]);
    assert.equal((await h.certs.get(id))!.holder.name, '改名');
    assert.equal((await h.certs.get(idFor(501)))!.status, 'abolished');
    await h.db.transaction((tx) => h.front.insertRows(tx, [catalogRow(501, { operation: 'I' })]));
    await h.aggregator.run();
    assert.equal((await h.certs.get(idFor(501)))!.status, 'issued');
    assert.equal((await h.aggregator.run()).read, 0, 'nothing is applied twice');
  });

  test('an aggregator that dies between chunks resumes where its last commit left it', async () => {
    await h.db.transaction((tx) => h.front.insertRows(tx, Array.from({ length: 10 }, (_, k) => catalogRow(600 + k))));
    const { Aggregator } = await import('../../src/core/aggregation/aggregator.js');
    const { CertificateRepo } = await import('../../src/store/certificates.js');
    const { CertificateTypeRepo } = await import('../../src/store/certificate-types.js');
    const { FrontDbRepo } = await import('../../src/store/front-db.js');
    const dying = failingAfter(h.db, 4); // the horizon, two chunks, then death
    const agg = new Aggregator(dying, new FrontDbRepo(dying), new CertificateRepo(dying, h.keys), new CertificateTypeRepo(dying), 4);
    await assert.rejects(agg.run(), /killed/);
    const mid = await h.front.position();
    const rest = await h.aggregator.run();
    assert.equal(rest.read, 2, 'two chunks of four committed, two rows left');
    assert.equal(rest.from, mid.position);
    const n = (await h.db.query<{ n: number }>(`select count(*)::int as n from certificates where id = any($1::text[])`, [Array.from({ length: 10 }, (_, k) => idFor(600 + k))]))[0]!.n;
    assert.equal(n, 10);
  });

  test('rejected rows come back to the province; a later report resolves them', async () => {
    // A row written straight into the province's front DB, with a holder code failing its check digit.
    const bad = catalogRow(700, { holderCode: '110105194912310021', time: '2026-01-01 10:00:00' });
    await p.db.transaction((tx) => p.front.insertRows(tx, [bad]));
    await exchange();
    const agg = await h.aggregator.run();
    assert.equal(agg.rejected, 1);
    const back = await exchange();
    assert.equal(back.errors, 1);
    assert.equal((await exchange()).errors, 0, 'an error comes back once');
    const open = await p.frontErrors.list();
    assert.equal(open.length, 1);
    assert.equal(open[0]!.sourceId, bad.sourceId);
    assert.match(open[0]!.remark, /^CertificateHolderCode\(持证主体代码\): citizen ID number fails its GB 11643 check/);

    // Fixed: a corrected row for the same certificate, written later.
    await p.db.transaction((tx) => p.front.insertRows(tx, [catalogRow(700, { operation: 'U', time: '2026-01-01 12:00:00' })]));
    assert.equal((await p.frontErrors.list()).length, 0, 'a later report answers the error');
    assert.equal((await p.frontErrors.list({ all: true }))[0]!.resolvedAt !== null, true);
    await exchange();
    await h.aggregator.run();
    assert.equal((await exchange()).errors, 0, 'the corrected row passed');
    assert.equal((await h.certs.get(bad.sourceId))!.status, 'issued');
  });

  test('a hub aggregates on its own every interval, and stops between runs', async () => {
    const { aggregateEvery } = await import('../../src/core/aggregation/aggregator.js');
    const seen: number[] = [];
    const loop = aggregateEvery(h.aggregator, 30, { summary: (r) => seen.push(r.read), error: (e) => assert.fail(e) });
    await h.db.transaction((tx) => h.front.insertRows(tx, [catalogRow(800), catalogRow(801)]));
    for (let i = 0; i < 200 && !seen.some((n) => n > 0); i++) await new Promise((r) => setTimeout(r, 20));
    await loop.stop();
    assert.equal(seen.reduce((a, b) => a + b, 0), 2);
    assert.equal((await h.certs.get(idFor(801)))!.status, 'issued');
  });

  test('re-reporting a certificate writes its current state as U (D when abolished)', async () => {
    const [first] = await p.certs.findByHolder({ holderCode: holderOf(1) }, false);
    const last = (await licData(p)).at(-1)!.ID;
    const out = await p.frontErrors.rereport({ ids: [first!.id, '1.2.156.3005.2.nothing'] });
    assert.deepEqual(out.notFound, ['1.2.156.3005.2.nothing']);
    const rows = await licData(p, last);
    assert.deepEqual(rows.map((r) => [r.CertificateSourceId, r.Cd_operation]), [[first!.id, first!.status === 'abolished' ? 'D' : 'U']]);
  });

  test('imports and every I/U/D the hub applied are lifecycle events with leaves in the log, which verifies', async () => {
    const { verifyLogLocally } = await import('../../src/core/log-verify.js');
    const events = await h.db.query<{ action: string; n: number }>(
      `select action, count(*)::int as n from certificate_events where action like 'catalog-%' group by action order by action`);
    const by = Object.fromEntries(events.map((e) => [e.action, e.n]));
    assert.ok(by['catalog-insert'] > 0 && by['catalog-update'] > 0 && by['catalog-delete'] > 0, JSON.stringify(by));
    const [applied] = await h.db.query<{ n: number }>('select applied::int as n from front.aggregation_state');
    const total = events.reduce((n, e) => n + e.n, 0);
    // One per certificate a chunk changed: rows of one certificate in one chunk end as its last.
    assert.ok(total <= applied!.n && total > applied!.n / 2, `${total} events, ${applied!.n} rows applied`);
    const [leaves] = await h.db.query<{ n: number }>(
      `select count(*)::int as n from log_leaves l join certificate_events e on l.kind = 'certificate' and l.ref = e.id::text where e.action like 'catalog-%'`);
    assert.equal(leaves!.n, total);
    const [imported] = await p.db.query<{ n: number; leaves: number }>(
      `select count(*)::int as n, count(l.idx)::int as leaves from certificate_events e left join log_leaves l on l.kind = 'certificate' and l.ref = e.id::text where e.action = 'import'`);
    assert.ok(imported!.n > 0 && imported!.leaves === imported!.n, JSON.stringify(imported));
    for (const s of [p, h]) {
      const check = await verifyLogLocally(s.db);
      assert.equal(check.problem, undefined, JSON.stringify(check.problem));
    }
  });
});
