import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { cli, ENTRY, startNode, type RunningNode } from '../support/node-process.js';
import { catalogRow, holderOf, idFor, ISSUER, ISSUER_NAME, MARRIAGE, MARRIAGE_TYPE } from '../support/catalog-rows.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { hmacSm3 } from '../../src/crypto/sm3.js';
import { cstCompactDate } from '../../src/domain/dates.js';
import type { WriteContext } from '../../src/core/issuing.js';
import type { CatalogRow } from '../../src/domain/catalog-row.js';

const pgSkip = await postgresSkip();
const ROOT = new URL('../..', import.meta.url).pathname;
const ctx: WriteContext = { operator: { account: 'clerk', name: '登记员', divisionCode: '110105' }, itemCode: 'BJ-MZ', itemName: '婚姻登记', caller: { app: 'test-app' } };
const fields = (i: number) => ({ CZR: `持证人${i}`, CYRSFZJHM: holderOf(i), JHZZH: `J110105-2026-${String(i).padStart(7, '0')}`, FZRQ: '2025-06-01' });
const dataFlags = (b: Backend) => ['--data', b.dataDir, '--database-url', b.databaseUrl!];

/** A real `zhengzhao` process, left running so a test can kill it. */
function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [...ENTRY, ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/**
 * Two PostgreSQL databases, a province and a hub, and the real commands between them: issue on the
 * province, `zhengzhao exchange`, `zhengzhao aggregate`, and the hub's national interface answers.
 */
describe('catalog aggregation end to end: a province and a hub on PostgreSQL', { skip: pgSkip }, () => {
  let prov: Backend;
  let hub: Backend;
  let p: Services;
  let hubNode: RunningNode;
  let hubDb: pg.Client;
  let provDb: pg.Client;
  let secret: string;

  const exchange = () => {
    const r = cli(undefined, ['exchange', '--from', prov.databaseUrl!, '--to', hub.databaseUrl!, '--json']);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { rows: number; errors: number; resolved: number; batches: { batch: string; rows: number }[] };
  };
  const aggregate = () => {
    const r = cli(hub, ['aggregate', '--json']);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { read: number; applied: number; rejected: number; batches: { batch: string; applied: number }[] };
  };
  const national = async (name: string, params: Record<string, string>) => {
    const token = hmacSm3(Buffer.from(secret), 'hubclerk' + cstCompactDate(new Date())).toString('hex');
    const res = await fetch(`${hubNode.baseUrl}/elssp/v1/${name}`, { method: 'POST', body: new URLSearchParams({ AccountId: 'hubclerk', AccessToken: token, UseFor: '跨省办理', ...params }) });
    return (await res.json()) as { head: { status: string }; data?: { dataList?: { certificateID: string }[] } };
  };

  before(async () => {
    prov = await makeBackend('postgres');
    hub = await makeBackend('postgres');
    p = await openServices(loadConfig({ data: prov.dataDir, databaseUrl: prov.databaseUrl }, {}), { warn: () => {} });
    await p.catalog.add(MARRIAGE_TYPE);
    await p.items.add({ code: 'BJ-MZ', name: '婚姻登记', orgName: ISSUER_NAME, orgCode: ISSUER, areaCode: '110105', typeCodes: [MARRIAGE] });
    hubNode = await startNode(hub, ['--role', 'hub'], { ZHENGZHAO_AGGREGATE_INTERVAL: '0' });
    assert.equal(hubNode.info.role, 'hub');
    const t = cli(hub, ['types', 'add', '--code', MARRIAGE, '--name', '结婚证']);
    assert.equal(t.status, 0, t.stderr);
    const acc = cli(hub, ['accounts', 'add', '--id', 'hubclerk', '--name', '国家共享系统']);
    assert.equal(acc.status, 0, acc.stderr);
    secret = JSON.parse(acc.stdout).secret;
    hubDb = new pg.Client({ connectionString: hub.databaseUrl });
    provDb = new pg.Client({ connectionString: prov.databaseUrl });
    await hubDb.connect();
    await provDb.connect();
  });
  after(async () => {
    await hubNode?.stop();
    await p?.close();
    await hubDb?.end();
    await provDb?.end();
    await prov?.cleanup();
    await hub?.cleanup();
  });

  test('issued on the province, exchanged and aggregated, the hub finds it; abolished, the hub answers 21', async () => {
    const made = await p.issuing.create(MARRIAGE, fields(1), ctx);
    await p.issuing.sign(MARRIAGE, made.id, ctx);
    assert.equal((await national('Retrieval', { CertificateHolderCode: holderOf(1) })).head.status, '10', 'not at the hub before the exchange');

    const ex = exchange();
    assert.equal(ex.rows, 1);
    const ag = aggregate();
    assert.deepEqual([ag.read, ag.applied, ag.rejected], [1, 1, 0]);
    assert.equal(ag.batches[0]!.batch, ex.batches[0]!.batch);
    const found = await national('Retrieval', { CertificateHolderCode: holderOf(1), CertificateHolderType: '111' });
    assert.equal(found.head.status, '0');
    assert.deepEqual(found.data!.dataList!.map((d) => d.certificateID), [made.id]);

    await p.issuing.abolish(MARRIAGE, made.id, ctx, '吊销');
    assert.equal(exchange().rows, 1);
    assert.equal(aggregate().applied, 1);
    assert.equal((await national('GetCertificateDataByCertificateID', { CertificateID: made.id })).head.status, '21');

    const report = cli(hub, ['aggregate', '--report', '--json']);
    const r = JSON.parse(report.stdout) as { batches: { batch: string; received: number; applied: number; rejected: number; state: string }[] };
    assert.equal(r.batches.length, 2);
    for (const b of r.batches) assert.deepEqual([Number(b.received), Number(b.applied), Number(b.rejected), b.state], [1, 1, 0, 'reconciled']);
  });

  test('invalid rows written straight into the province\'s front DB come back in lic_data_error and disappear once fixed', async () => {
    const insert = (rows: CatalogRow[]) => provDb.query(
      `insert into front.lic_data ("CertificateSourceId", "CertificateName", "CertificateType", "CertificateTypeCode", "IssueDept", "IssueDeptCode",
         "CertificateAreaCode", "CertificateHolder", "CertificateHolderCode", "CertificateHolderType", "CertificateNumber", "IssueDate",
         "Cd_operation", "Cd_time", "Cd_batch", "DataSource")
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
         $11::text[], $12::text[], $13::text[], $14::timestamp[], $15::text[], $16::text[])`,
      (['sourceId', 'name', 'typeName', 'typeCode', 'issuerName', 'issuerCode', 'areaCode', 'holderName', 'holderCode', 'holderType', 'number',
        'issueDate', 'operation', 'time', 'batch', 'dataSource'] as const).map((k) => rows.map((r) => r[k])));
    const now = () => new Date(Date.now() + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 23);
    await insert([
      catalogRow(101, { holderCode: '110105194912310021', time: now() }),
      catalogRow(102, { areaCode: '1101', time: now() }),
      catalogRow(103, { time: now() }),
    ]);
    exchange();
    assert.equal(aggregate().rejected, 2);
    assert.equal(exchange().errors, 2);
    const errs = cli(prov, ['errors', '--json']);
    assert.equal(errs.status, 0, errs.stderr);
    const list = JSON.parse(errs.stdout) as { sourceId: string; remark: string }[];
    assert.deepEqual(list.map((e) => e.sourceId), [idFor(101), idFor(102)]);
    assert.match(list[0]!.remark, /^CertificateHolderCode\(持证主体代码\): citizen ID number fails its GB 11643 check/);
    assert.match(list[1]!.remark, /^CertificateAreaCode\(证照所属管辖属地编码\): must be a 6-digit GB\/T 2260 code/);
    assert.match(cli(prov, ['errors']).stdout, /GB 11643/);

    await insert([catalogRow(101, { operation: 'U', time: now() }), catalogRow(102, { operation: 'U', time: now() })]);
    assert.equal(JSON.parse(cli(prov, ['errors', '--json']).stdout).length, 0, 'fixed rows answer the errors');
    assert.equal(JSON.parse(cli(prov, ['errors', '--all', '--json']).stdout).length, 2);
    exchange();
    assert.deepEqual(aggregate().rejected, 0);
    assert.equal(exchange().errors, 0);
    const shared = await national('Retrieval', { CertificateHolderCode: holderOf(101) });
    assert.deepEqual(shared.data!.dataList!.map((d) => d.certificateID), [idFor(101)]);
  });

  test('SIGKILL the aggregator (and the exchange) in the middle of 100,000 rows: the catalog ends equal to the source', async () => {
    await hubNode.stop();
    // 90,000 certificates issued, then 10,000 of them abolished: 100,000 rows, written in big statements.
    const batch = 'KILLTEST000000000000000000000001';
    const total = 100_000;
    const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => {
      const n = from + k;
      return n < 90_000 ? catalogRow(10_000 + n, { batch }) : catalogRow(10_000 + (n - 90_000) * 9, { batch, operation: 'D', time: '2026-01-01 11:00:00' });
    });
    for (let i = 0; i < total; i += 20_000) await p.db.transaction((tx) => p.front.insertRows(tx, rows(i, i + 20_000)));

    const position = async (sql: string) => Number((await hubDb.query(sql)).rows[0].n);
    const killWhen = async (proc: ReturnType<typeof spawnCli>, sql: string, min: number) => {
      for (;;) {
        if (proc.child.exitCode !== null) break;
        if ((await position(sql)) >= min) { proc.child.kill('SIGKILL'); break; }
        await new Promise((r) => setTimeout(r, 20));
      }
      return proc.done;
    };

    // The exchange, killed once it has moved a few chunks, then run again.
    const ex = spawnCli(['exchange', '--from', prov.databaseUrl!, '--to', hub.databaseUrl!, '--chunk', '5000']);
    const exKilled = await killWhen(ex, 'select coalesce(sum(rows), 0) as n from front.exchange_in', 20_000);
    assert.equal(exKilled.signal, 'SIGKILL', `the exchange ended before it was killed: ${exKilled.stderr}`);
    exchange();
    const moved = await position(`select count(*) as n from front.lic_data where "Cd_batch" = '${batch}'`);
    assert.equal(moved, total, 'every row moved once');

    // The aggregator, killed in the middle, then run again to the end.
    const applied = 'select applied as n from front.aggregation_state';
    const before = await position(applied);
    const ag = spawnCli(['aggregate', ...dataFlags(hub)], { ZHENGZHAO_AGGREGATE_CHUNK: '2000' });
    const agKilled = await killWhen(ag, applied, before + 30_000);
    assert.equal(agKilled.signal, 'SIGKILL', `the aggregator ended before it was killed: ${agKilled.stderr}`);
    const mid = await position(applied);
    assert.ok(mid - before >= 30_000 && mid - before < total, `killed in the middle (${mid - before} applied)`);
    const rest = aggregate();
    assert.equal(rest.read, total - (mid - before), 'the rerun starts where the last commit left off');
    assert.equal(rest.rejected, 0);

    // Equal to the source: 90,000 entries, each once; the 10,000 deleted ones abolished, the rest issued.
    const cat = await hubDb.query<{ id: string; status: string }>(`select id, status from certificates where data_source = '111' and id like '%.%' and version = 1`);
    const byId = new Map(cat.rows.map((r) => [r.id, r.status]));
    const deleted = new Set(Array.from({ length: 10_000 }, (_, k) => idFor(10_000 + k * 9)));
    let mismatches = 0;
    for (let n = 0; n < 90_000; n++) {
      const id = idFor(10_000 + n);
      if (byId.get(id) !== (deleted.has(id) ? 'abolished' : 'issued')) mismatches++;
    }
    assert.equal(mismatches, 0);
    const mine = cat.rows.filter((r) => Number(r.id.split('.').at(-3)) >= 10_000);
    assert.equal(mine.length, 90_000, 'nothing lost, nothing doubled');
    const ledger = await hubDb.query(`select received, applied, rejected from front.batch_ledger where cd_batch = $1`, [batch]);
    assert.deepEqual(ledger.rows.map((r) => [Number(r.received), Number(r.applied), Number(r.rejected)]), [[total, total, 0]]);
  });
});

/**
 * The whole of issue 6's first check on PostgreSQL: a hub and provinces A (Zhejiang) and B (Beijing).
 * B issues; its catalog rows travel by exchange and aggregation; a clerk at A retrieves, reads,
 * downloads and verifies B's certificate through the hub; B abolishes and A sees 21 after the next
 * aggregation; with B stopped, A gets 1 within its timeout.
 */
describe('federation end to end: issue in B, exchange, aggregate, use from A', { skip: pgSkip }, () => {
  let hubB: Backend, aB: Backend, bB: Backend;
  let hubNode: RunningNode, aNode: RunningNode, bNode: RunningNode;
  let pB: Services;
  let clerk: { id: string; secret: string };
  const B_ENV = { ZHENGZHAO_AREA_CODE: '110000', ZHENGZHAO_DATA_SOURCE: '111' };
  const account = (b: Backend, id: string) => {
    const r = cli(b, ['accounts', 'add', '--id', id, '--name', id, '--json']);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { id: string; secret: string };
  };
  const atA = async (name: string, params: Record<string, string>) => {
    const token = hmacSm3(Buffer.from(clerk.secret), clerk.id + cstCompactDate(new Date())).toString('hex');
    const t0 = Date.now();
    const res = await fetch(`${aNode.baseUrl}/elssp/v1/${name}`, { method: 'POST', body: new URLSearchParams({ AccountId: clerk.id, AccessToken: token, UseFor: '跨省通办', ...params }) });
    return { ...((await res.json()) as { head: { status: string; message: string }; data?: any }), ms: Date.now() - t0 };
  };
  const exchangeAndAggregate = () => {
    const ex = cli(undefined, ['exchange', '--from', bB.databaseUrl!, '--to', hubB.databaseUrl!, '--json']);
    assert.equal(ex.status, 0, ex.stderr);
    const ag = cli(hubB, ['aggregate', '--json']);
    assert.equal(ag.status, 0, ag.stderr);
    return JSON.parse(ag.stdout) as { applied: number; rejected: number };
  };

  before(async () => {
    [hubB, aB, bB] = await Promise.all([makeBackend('postgres'), makeBackend('postgres'), makeBackend('postgres')]);
    hubNode = await startNode(hubB, ['--role', 'hub'], { ZHENGZHAO_AGGREGATE_INTERVAL: '0', ZHENGZHAO_HOP_TIMEOUT_MS: '1500' });
    assert.equal(cli(hubB, ['types', 'add', '--code', MARRIAGE, '--name', '结婚证']).status, 0);
    const zj = account(hubB, 'zj-province');
    const bj = account(hubB, 'bj-province');
    const hubEnv = (acc: { id: string; secret: string }) => ({ ZHENGZHAO_HUB_URL: hubNode.baseUrl, ZHENGZHAO_HUB_ACCOUNT: acc.id, ZHENGZHAO_HUB_SECRET: acc.secret, ZHENGZHAO_HOP_TIMEOUT_MS: '2500' });
    // B issues through its core (in this process) and answers the hub (a node process on the same database).
    pB = await openServices(loadConfig({ data: bB.dataDir, databaseUrl: bB.databaseUrl }, B_ENV), { warn: () => {} });
    await pB.catalog.add(MARRIAGE_TYPE);
    await pB.items.add({ code: 'BJ-MZ', name: '婚姻登记', orgName: ISSUER_NAME, orgCode: ISSUER, areaCode: '110105', typeCodes: [MARRIAGE] });
    [aNode, bNode] = await Promise.all([
      startNode(aB, [], { ZHENGZHAO_AREA_CODE: '330000', ZHENGZHAO_DATA_SOURCE: '133', ...hubEnv(zj) }),
      startNode(bB, [], { ...B_ENV, ...hubEnv(bj) }),
    ]);
    const hubAtB = account(bB, 'national-hub');
    const hubAtA = account(aB, 'national-hub');
    for (const [ds, area, node, acc, inbound] of [['111', '110000', bNode, hubAtB, 'bj-province'], ['133', '330000', aNode, hubAtA, 'zj-province']] as const) {
      const r = cli(hubB, ['nodes', 'add', '--data-source', ds, '--name', ds, '--area', area, '--url', node.baseUrl, '--account', acc.id, '--secret', acc.secret, '--inbound-account', inbound]);
      assert.equal(r.status, 0, r.stderr);
    }
    clerk = account(aB, 'zj-clerk');
  });
  after(async () => {
    await Promise.all([hubNode?.stop(), aNode?.stop(), bNode?.stop()]);
    await pB?.close();
    await Promise.all([hubB?.cleanup(), aB?.cleanup(), bB?.cleanup()]);
  });

  test('a clerk at A retrieves, reads, downloads and verifies what B issued; B abolishes and A sees 21; B stopped, A gets 1', async () => {
    const x = await pB.issuing.create(MARRIAGE, fields(501), ctx);
    await pB.issuing.sign(MARRIAGE, x.id, ctx);
    const y = await pB.issuing.create(MARRIAGE, fields(502), ctx);
    await pB.issuing.sign(MARRIAGE, y.id, ctx);
    assert.equal((await atA('GetCertificateDataByCertificateID', { CertificateID: x.id })).head.status, '10', 'the hub does not know it before aggregation');
    const first = exchangeAndAggregate();
    assert.deepEqual([first.applied, first.rejected], [2, 0]);

    // Retrieval at A: A holds nothing of this holder, the hub's catalog names B's certificate.
    const found = await atA('Retrieval', { CertificateHolderCode: holderOf(501), CertificateHolderType: '111' });
    assert.equal(found.head.status, '0', found.head.message);
    assert.deepEqual(found.data.dataList.map((d: any) => d.certificateID), [x.id]);
    // Structured data, as B signed it, through A → hub → B.
    const data = await atA('GetCertificateDataByCertificateID', { CertificateID: x.id });
    assert.equal(data.head.status, '0', data.head.message);
    assert.equal(data.data.dataList[0].certificateHolder, '持证人501');
    assert.ok(data.data.dataList[0].digitalSign.length > 60);
    // The file: B's own download link, an annotated copy for A's stated purpose; B's verification finds it genuine.
    const link = await atA('GetCertificateFileByCertificateID', { CertificateID: x.id });
    assert.equal(link.head.status, '0', link.head.message);
    const url: string = link.data.dataList[0].fileUrl;
    assert.ok(url.startsWith(`${bNode.baseUrl}/files/`), url);
    const file = Buffer.from(await (await fetch(url)).arrayBuffer());
    const verdict = (await (await fetch(`${bNode.baseUrl}/verify/file`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: file })).json()) as any;
    assert.equal(verdict.outcome, 'genuine', JSON.stringify(verdict));
    assert.equal(verdict.copy.reason, '跨省通办');

    // The same through A's Sichuan interface (DB51/T 2942 5.3-5.5): a provincial system registered at A.
    const sc = async (name: string, head: { accountId: string; accessToken: string } | undefined, data: Record<string, unknown>) => {
      const res = await fetch(`${aNode.baseUrl}/sichuan/v1/${name}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(head ? { head, data } : data),
      });
      return (await res.json()) as any;
    };
    const reg = await sc('Register', undefined, { systemName: '杭州市政务服务系统', systemIp: '127.0.0.1', deptCode: '11330100MB1234567X', deptName: '杭州市数据资源管理局' });
    assert.equal(reg.head.status, '0', JSON.stringify(reg));
    assert.equal(cli(aB, ['registrations', 'approve', reg.accountId]).status, 0);
    const sys = { accountId: reg.accountId as string, accessToken: reg.accessToken as string };
    const scFound = await sc('Retrieval', sys, { certificateHolderCode: holderOf(501), useFor: '01' });
    assert.equal(scFound.head.status, '0', JSON.stringify(scFound));
    assert.deepEqual(scFound.data.dataList.map((d: any) => d.certificateID), [x.id]);
    const scData = await sc('GetCertificateDataByCertificateID', sys, { certificateID: x.id, useFor: '01' });
    assert.equal(scData.head.status, '0', JSON.stringify(scData));
    assert.equal(scData.data.certificateHolder, '持证人501');
    const scLink = await sc('GetCertificateFileByCertificateID', sys, { certificateID: x.id, useFor: '01' });
    assert.equal(scLink.head.status, '0', JSON.stringify(scLink));
    assert.ok(String(scLink.data.dataList[0].fileUrl).startsWith(`${bNode.baseUrl}/files/`), JSON.stringify(scLink.data));

    // Abolished in B: after the next exchange and aggregation, A is told 21.
    await pB.issuing.abolish(MARRIAGE, x.id, ctx, '吊销');
    assert.equal(exchangeAndAggregate().applied, 1);
    assert.equal((await atA('GetCertificateDataByCertificateID', { CertificateID: x.id })).head.status, '21');

    // B stopped: A gets 1 (timeout) within its own hop timeout and a margin, not a hang.
    await bNode.stop();
    const down = await atA('GetCertificateDataByCertificateID', { CertificateID: y.id });
    assert.equal(down.head.status, '1', down.head.message);
    assert.ok(down.ms < 6000, `answered in ${down.ms} ms`);
  });
});
