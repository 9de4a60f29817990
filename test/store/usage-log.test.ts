import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { openDb, asBuffer, type Db } from '../../src/store/db.js';
import { migrate, MIGRATIONS } from '../../src/store/migrate.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { UsageRecorder, usageDigest } from '../../src/core/usage.js';
import { verifyLogLocally } from '../../src/core/log-verify.js';
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

    test('concurrent records are all committed, each with its leaf in the log', { skip }, async () => {
      const usage = new UsageRecorder(db, keys);
      await Promise.all(Array.from({ length: 300 }, (_, i) =>
        usage.record({ dialect: 'national', interface: 'Retrieval', accountId: 'a', holderCode: i % 2 ? 'H1' : 'H2', certificateIds: [`c${i}`], resultCode: '0', reason: `r${i}` })));
      const rows = await db.query<Record<string, unknown>>('select * from usage_records order by id');
      assert.equal(rows.length, 300);
      const leaves = await db.query<{ idx: number; kind: string; ref: string; body: Uint8Array }>('select * from log_leaves order by idx');
      assert.deepEqual(leaves.map((l) => [Number(l.idx), l.kind, l.ref]), rows.map((r, i) => [i, 'usage', String(r.id)]));
      // The digest recomputed here by hand for the first records, independently of the recorder and the verifier.
      for (const [i, r] of rows.slice(0, 5).entries()) {
        const body = {
          at: new Date(r.at as string).toISOString(), dialect: r.dialect, interface: r.interface, accountId: r.account_id ?? '', operator: r.operator ?? '',
          itemCode: r.item_code ?? '', itemName: r.item_name ?? '', reason: r.reason ?? '', holder: r.holder_bidx ? asBuffer(r.holder_bidx).toString('hex') : '',
          certificateIds: r.certificate_ids, resultCode: r.result_code, clientIp: r.client_ip ?? '', correlationId: r.correlation_id ?? '',
        };
        const digest = sm3(Buffer.from(canonicalJson(body)));
        assert.equal(r.prev_hash, null, 'records no longer chain: their leaf fixes their place');
        assert.deepEqual(asBuffer(r.hash), digest);
        assert.deepEqual(JSON.parse(asBuffer(leaves[i]!.body).toString()), {
          v: 1, kind: 'usage', ref: String(r.id), at: body.at, digest: digest.toString('hex'), holder: asBuffer(r.holder_bidx).toString('hex') });
      }
      const check = await verifyLogLocally(db);
      assert.equal(check.problem, undefined);
      assert.deepEqual([check.checked, check.size], [300, 300]);
      assert.equal((await usage.list({ holderCode: 'H1', limit: 1000 })).length, 150);
      assert.ok(!JSON.stringify(rows).includes('"H1"'), 'holder codes are stored only as blind indexes');
      assert.ok(!leaves.some((l) => /H1|H2|r1\b/.test(asBuffer(l.body).toString())), 'no leaf carries a holder code or a record field');
      // A second recorder (another process) appends to the same log.
      const again = new UsageRecorder(db, keys);
      await again.record({ dialect: 'national', interface: 'x', certificateIds: [], resultCode: '10' });
      assert.deepEqual((await verifyLogLocally(db)).size, 301);
    });

    test('the log check finds an altered record, a removed one, and an altered tree node', { skip }, async () => {
      const ids = (await db.query<{ id: number }>('select id from usage_records order by id')).map((r) => Number(r.id));
      await db.query(`update usage_records set reason = 'changed' where id = $1`, [ids[100]]);
      assert.deepEqual(await verifyLogLocally(db), { checked: 100, size: 301, problem: { index: 100, message: `leaf 100: usage record ${ids[100]} was altered (its digest differs)` } });
      await db.query(`update usage_records set reason = 'r100' where id = $1`, [ids[100]]);
      assert.equal((await verifyLogLocally(db)).problem, undefined);
      const [node] = await db.query<{ hash: Uint8Array }>('select hash from log_nodes where level = 3 and idx = 2');
      await db.query(`update log_nodes set hash = $1 where level = 3 and idx = 2`, [Buffer.alloc(32)]);
      assert.deepEqual((await verifyLogLocally(db)).problem, { message: 'tree node 3/2 does not match the leaves under it' });
      await db.query(`update log_nodes set hash = $1 where level = 3 and idx = 2`, [node!.hash]);
      const saved = await db.query<Record<string, unknown>>('select * from usage_records where id = $1', [ids[200]]);
      await db.query('delete from usage_records where id = $1', [ids[200]]);
      assert.deepEqual((await verifyLogLocally(db)).problem, { index: 200, message: `leaf 200: usage record ${ids[200]} is missing` });
      const cols = Object.keys(saved[0]!);
      await db.query(`insert into usage_records (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, cols.map((c) => saved[0]![c]));
      assert.equal((await verifyLogLocally(db)).problem, undefined);
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
      // The recorder goes on after the refusal, and the log has no gap where the refused batch was rolled back.
      await usage.record({ dialect: 'national', interface: 'x', certificateIds: [], resultCode: '10' });
      const idx = (await db.query<{ idx: number }>('select idx from log_leaves order by idx')).map((r) => Number(r.idx));
      assert.deepEqual(idx, Array.from({ length: before + 41 }, (_, i) => i));
      assert.equal((await verifyLogLocally(db)).problem, undefined);
    });

    test('migration 018 makes the chained records the first leaves, in order', { skip }, async () => {
      const old = await makeBackend(name);
      const odb = await openDb({ dataDir: old.dataDir, databaseUrl: old.databaseUrl });
      try {
        await migrate(odb, 17);
        let prev: Buffer | null = null;
        for (let i = 0; i < 7; i++) {
          const at = new Date(Date.UTC(2025, 0, 1, 0, 0, i));
          const hash = usageDigest(prev, { at, dialect: 'national', interface: 'Retrieval', certificateIds: [`c${i}`], resultCode: '0', holderIndex: null });
          await odb.query(`insert into usage_records (at, dialect, interface, certificate_ids, result_code, prev_hash, hash) values ($1, 'national', 'Retrieval', $2, '0', $3, $4)`,
            [at, [`c${i}`], prev, hash]);
          prev = hash;
        }
        assert.deepEqual(await migrate(odb), MIGRATIONS.filter((m) => m.version > 17).map((m) => m.version), '018 and every later migration');
        const leaves = await odb.query<{ idx: number; ref: string; body: Uint8Array }>('select idx, ref, body from log_leaves order by idx');
        const ids = (await odb.query<{ id: number }>('select id from usage_records order by id')).map((r) => String(r.id));
        assert.deepEqual(leaves.map((l) => l.ref), ids);
        assert.equal(JSON.parse(asBuffer(leaves[6]!.body).toString()).digest, prev!.toString('hex'));
        const check = await verifyLogLocally(odb);
        assert.deepEqual([check.problem, check.size], [undefined, 7]);
      } finally {
        await odb.close();
        await old.cleanup();
      }
    });
  });
}
