import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { seedDemo } from '../../src/node/demo.js';
import { makeCitizenId } from '../../src/domain/holder-code.js';
import { FrontDbRepo } from '../../src/store/front-db.js';
import { OperatorRepo } from '../../src/store/operators.js';
import { scrubIdNumbers } from '../../src/domain/scrub-text.js';

const pgSkip = await postgresSkip();

/** Every row of every table of the node's schemas, as text, that contains `needle`: "table: count". */
async function rowsContaining(s: Services, needle: string): Promise<string[]> {
  const tables = await s.db.query<{ t: string }>(
    `select quote_ident(table_schema) || '.' || quote_ident(table_name) as t from information_schema.tables
     where table_schema in ('public', 'front') and table_type = 'BASE TABLE' order by 1`);
  const hits: string[] = [];
  for (const { t } of tables) {
    const [r] = await s.db.query<{ n: number }>(`select count(*)::int as n from ${t} x where strpos(x::text, $1) > 0`, [needle]);
    if (r!.n > 0) hits.push(`${t}: ${r!.n}`);
  }
  return hits;
}

/**
 * Issue 15, "plain personal data at rest": read the database and the disk as someone who copied
 * them would, and find no citizen ID number in clear outside the front DB's lic_data (the
 * standard's columns, which the exchange reads, deleted once taken and past retention).
 */
describe('personal data at rest', { skip: pgSkip }, () => {
  let b: Backend;
  let s: Services;
  const operatorId = makeCitizenId('110105', '19851203', 77);

  before(async () => {
    b = await makeBackend('postgres');
    s = await openServices(loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }), { warn: () => {} });
    await seedDemo(s, 'http://127.0.0.1:1', () => {});
  });
  after(async () => {
    await s?.close();
    await b?.cleanup();
  });

  test('operator ID numbers, batch input, usage text and files hold no ID number in clear; files are owner-only', async () => {
    const [holder] = await s.db.query<{ id: string }>(`select id from certificates where status = 'issued' order by id limit 1`);
    const c = (await s.certs.get(holder!.id))!;
    const holderId = c.holder.code;
    assert.match(holderId, /^\d{17}[\dX]$/);

    // An operator with an ID number; it reads back whole.
    await s.sessions.addOperator({ account: 'at_rest_op', name: '李四', identityNum: operatorId, creator: 'test' }, 'a-password-1');
    assert.equal((await new OperatorRepo(s.db, s.keys).operator('at_rest_op'))?.identityNum, operatorId);

    // A use whose caller wrote the holder's ID number into its reason and context.
    await s.usage.record({
      dialect: 'test', interface: 'at-rest', reason: `为${holderId}办理`, operator: `王五${operatorId}`, context: { note: `身份证${holderId}` },
      holderCode: holderId, certificateIds: [c.id], resultCode: '00',
    });
    // A batch's pending input (written before its items are processed).
    const batches = s.batches as unknown as { start(kind: string, type: string, req: unknown, items: { input?: string }[]): Promise<string> };
    const job = await batches.start('create', c.typeCode, { ctx: { operator: { identity_num: operatorId } } },
      [{ input: JSON.stringify({ fields: { CZR: '赵六', CYRSFZJHM: holderId } }) }]);
    const [pending] = await s.db.query<{ input: unknown; input_sealed: Buffer | null }>('select input, input_sealed from batch_job_items where job_id = $1', [job]);
    assert.equal(pending!.input, null);
    assert.ok(pending!.input_sealed && pending!.input_sealed.length > 32);
    await s.db.query('delete from batch_jobs where id = $1', [job]);

    // The certificate's files, made and kept on disk.
    await s.files.original(c, 'pdf');
    await s.files.original(c, 'ofd');

    for (const id of [holderId, operatorId]) {
      const hits = (await rowsContaining(s, id)).filter((h) => !h.startsWith('front.lic_data:'));
      assert.deepEqual(hits, [], `${id} in clear in: ${hits.join(', ')}`);
    }
    const [used] = await s.db.query<{ reason: string; operator: string; context: Record<string, string> }>(`select reason, operator, context from usage_records where interface = 'at-rest'`);
    assert.equal(used!.reason, `为${holderId.slice(0, 6)}********${holderId.slice(-4)}办理`);

    const dir = join(b.dataDir, 'files');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const files = readdirSync(dir);
    assert.equal(files.length, 2);
    for (const f of files) {
      assert.match(f, /\.(pdf|ofd)\.sm4$/);
      assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
      const bytes = readFileSync(join(dir, f));
      assert.ok(!bytes.includes('%PDF') && !bytes.includes('OFD.xml') && !bytes.includes(holderId), `${f} is sealed`);
    }
    // And they still open as the certificate's files (from disk, not made again).
    const made = s.files.rendered;
    assert.equal((await s.files.original(c, 'pdf')).subarray(0, 5).toString(), '%PDF-');
    assert.equal(s.files.rendered, made);
    const secrets = join(b.dataDir, 'secrets');
    assert.equal(statSync(secrets).mode & 0o777, 0o700);
    for (const f of readdirSync(secrets)) assert.equal(statSync(join(secrets, f)).mode & 0o077, 0, f);
  });

  test('an operator ID number an older version stored in clear is sealed on start', async () => {
    await s.db.query(`insert into operators (account, name, identity_num, password_hash) values ('old_op', '旧', $1, 'x')`, [operatorId]);
    const repo = new OperatorRepo(s.db, s.keys);
    assert.equal((await repo.operator('old_op'))?.identityNum, operatorId);
    assert.ok(await repo.sealPlainIdentities() >= 1);
    const [row] = await s.db.query<{ identity_num: string | null }>(`select identity_num from operators where account = 'old_op'`);
    assert.equal(row!.identity_num, null);
    assert.equal((await repo.operator('old_op'))?.identityNum, operatorId);
  });

  test('lic_data rows taken by the next step are deleted after the retention period, the others stay', async () => {
    const front = new FrontDbRepo(s.db);
    const [{ n, max }] = await s.db.query<{ n: number; max: number }>('select count(*)::int as n, max("ID")::int as max from front.lic_data') as [{ n: number; max: number }];
    assert.ok(n > 10, 'the demo import reported its certificates to lic_data');
    // Half of them "taken" long ago; the rest written now.
    const half = Math.floor(max / 2);
    await s.db.query(`update front.lic_data set "Cd_time" = "Cd_time" - interval '40 days' where "ID" <= $1`, [max]);
    assert.equal(await front.purgeTaken(half, 60), 0, 'not yet past a 60-day retention');
    const gone = await front.purgeTaken(half, 30);
    const [{ left }] = await s.db.query<{ left: number }>('select count(*)::int as left from front.lic_data') as [{ left: number }];
    assert.ok(gone > 0);
    assert.equal(left, n - gone);
    const [{ low }] = await s.db.query<{ low: number }>('select coalesce(min("ID"), 0)::int as low from front.lic_data') as [{ low: number }];
    assert.ok(low > half, 'only rows up to the taken position went');
  });

  test('scrubIdNumbers masks valid ID numbers only', () => {
    assert.equal(scrubIdNumbers(`a${operatorId}b`), `a${operatorId.slice(0, 6)}********${operatorId.slice(-4)}b`);
    const wrong = operatorId.slice(0, 17) + (operatorId.endsWith('1') ? '2' : '1');
    assert.equal(scrubIdNumbers(`case ${wrong} x`), `case ${wrong} x`, 'wrong check digit: not an ID number');
    assert.equal(scrubIdNumbers(`9${operatorId}`), `9${operatorId}`, 'part of a longer number');
  });
});
