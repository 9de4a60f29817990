import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { openDb, asBuffer, type Db } from '../../src/store/db.js';
import { migrate, MIGRATIONS } from '../../src/store/migrate.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { UsageRecorder } from '../../src/core/usage.js';
import { sm3 } from '../../src/crypto/sm3.js';
import { canonicalJson } from '../../src/domain/canonical.js';

const keys = new Keyring(new Map([['k1', Buffer.alloc(16, 1)]]), 'k1', Buffer.alloc(32, 2));

// Probed once, before any suite runs: a suite's synchronous child processes would stall the probe.
const pgSkip = await postgresSkip();

for (const name of BACKENDS) {
  describe(`usage log and migrations (${name})`, async () => {
    const skip = name === 'postgres' ? pgSkip : false;
    let b: Backend;
    let db: Db;
    before(async () => {
      if (skip) return;
      b = await makeBackend(name);
      db = await openDb({ dataDir: b.dataDir, databaseUrl: b.databaseUrl });
    });
    after(async () => {
      if (skip) return;
      await db.close();
      await b.cleanup();
    });

    test('migrations apply once, in order', { skip }, async () => {
      assert.deepEqual(await migrate(db), MIGRATIONS.map((m) => m.version));
      assert.deepEqual(await migrate(db), []);
      const rows = await db.query<{ version: number }>('select version from schema_migrations order by version');
      assert.deepEqual(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
    });

    test('concurrent records are all committed, and form an SM3 hash chain', { skip }, async () => {
      const usage = new UsageRecorder(db, keys);
      await Promise.all(Array.from({ length: 300 }, (_, i) =>
        usage.record({ dialect: 'national', interface: 'Retrieval', accountId: 'a', holderCode: i % 2 ? 'H1' : 'H2', certificateIds: [`c${i}`], resultCode: '0', reason: `r${i}` })));
      const rows = await db.query<Record<string, unknown>>('select * from usage_records order by id');
      assert.equal(rows.length, 300);
      // Recomputed here by hand for the first records, independently of verifyChain.
      let prev: Buffer | null = null;
      for (const r of rows.slice(0, 5)) {
        const body = {
          at: new Date(r.at as string).toISOString(), dialect: r.dialect, interface: r.interface, accountId: r.account_id ?? '', operator: r.operator ?? '',
          itemCode: r.item_code ?? '', itemName: r.item_name ?? '', reason: r.reason ?? '', holder: r.holder_bidx ? asBuffer(r.holder_bidx).toString('hex') : '',
          certificateIds: r.certificate_ids, resultCode: r.result_code, clientIp: r.client_ip ?? '', correlationId: r.correlation_id ?? '',
        };
        const expect = sm3(Buffer.concat([prev ?? Buffer.alloc(0), Buffer.from(canonicalJson(body))]));
        assert.deepEqual(asBuffer(r.hash), expect, `row ${r.id} continues the chain`);
        prev = expect;
      }
      assert.deepEqual(await usage.verifyChain(), { checked: 300 });
      assert.equal((await usage.list({ holderCode: 'H1', limit: 1000 })).length, 150);
      assert.ok(!JSON.stringify(rows).includes('"H1"'), 'holder codes are stored only as blind indexes');
      // A second recorder (a restarted node) continues the same chain.
      const again = new UsageRecorder(db, keys);
      await again.record({ dialect: 'national', interface: 'x', certificateIds: [], resultCode: '10' });
      const last = (await db.query<{ prev_hash: Uint8Array }>('select prev_hash from usage_records order by id desc limit 1'))[0]!;
      assert.ok(last.prev_hash);
      assert.deepEqual(await again.verifyChain(), { checked: 301 });
    });

    test('verifyChain finds an altered record and a removed one', { skip }, async () => {
      const usage = new UsageRecorder(db, keys);
      const ids = (await db.query<{ id: number }>('select id from usage_records order by id')).map((r) => Number(r.id));
      await db.query(`update usage_records set reason = 'changed' where id = $1`, [ids[100]]);
      assert.deepEqual(await usage.verifyChain(), { checked: 100, brokenAt: ids[100], reason: 'its content does not match its hash' });
      await db.query(`update usage_records set reason = 'r100' where id = $1`, [ids[100]]);
      assert.deepEqual(await usage.verifyChain(), { checked: 301 });
      await db.query('delete from usage_records where id = $1', [ids[200]]);
      assert.deepEqual(await usage.verifyChain(), { checked: 200, brokenAt: ids[201], reason: 'does not link to the record before it' });
    });

    test('a record the database refuses fails alone: the others of its group commit are written', { skip }, async () => {
      const usage = new UsageRecorder(db, keys);
      const before = (await db.query<{ n: number }>('select count(*)::int as n from usage_records'))[0]!.n;
      // Recorded in one tick, so they travel in one group commit with the bad one in the middle.
      const entries = Array.from({ length: 40 }, (_, i) => ({ dialect: 'national', interface: 'Retrieval', accountId: `acc${i}`, certificateIds: [`g${i}`], resultCode: '0', reason: `good ${i}` }));
      entries.splice(20, 0, { dialect: 'national', interface: 'Retrieval', accountId: 'bad\u0000', certificateIds: ['b'], resultCode: '0', reason: 'a\u0000b' });
      const settled = await Promise.allSettled(entries.map((e) => usage.record(e)));
      assert.deepEqual(settled.map((r) => r.status), entries.map((_, i) => (i === 20 ? 'rejected' : 'fulfilled')));
      const rows = await db.query<{ account_id: string; reason: string; certificate_ids: string[] }>(
        'select account_id, reason, certificate_ids from usage_records order by id offset $1', [before]);
      assert.deepEqual(rows, entries.filter((_, i) => i !== 20).map((e) => ({ account_id: e.accountId, reason: e.reason, certificate_ids: e.certificateIds })));
      // The recorder goes on after the refusal, and the records written one by one still link up.
      await usage.record({ dialect: 'national', interface: 'x', certificateIds: [], resultCode: '10' });
      const links = await db.query<{ prev_hash: Uint8Array | null; hash: Uint8Array }>('select prev_hash, hash from usage_records order by id offset $1', [before]);
      assert.equal(links.length, 41);
      for (let i = 1; i < links.length; i++) assert.deepEqual(asBuffer(links[i]!.prev_hash), asBuffer(links[i - 1]!.hash), `record ${i} links to the one before`);
    });
  });
}
