import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { makeBackend, postgresSkip } from '../support/backends.js';
import { startNode, type RunningNode } from '../support/node-process.js';
import { MIGRATIONS } from '../../src/store/migrate.js';

// Probed once, before any suite runs: a suite's synchronous child processes would stall the probe.
const pgSkip = await postgresSkip();

/** Trials of two nodes starting at once; every third one seeds the demo too (on the same data directory). */
const TRIALS = Number(process.env.ZHENGZHAO_STARTUP_TRIALS ?? 12);

const count = async (c: pg.Client, sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0]!.n);

// Only PostgreSQL: PGlite is one process's database.
describe('two nodes starting together on an empty PostgreSQL database', () => {
  test(`both come up, migrate once, one current signing key and one exchange key (${TRIALS} trials)`, { skip: pgSkip }, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const b = await makeBackend('postgres');
      const demo = trial % 3 === 0;
      const started = await Promise.allSettled([startNode(b, demo ? ['--demo'] : []), startNode(b, demo ? ['--demo'] : [])]);
      const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const c = new pg.Client({ connectionString: b.databaseUrl });
      try {
        assert.deepEqual(started.map((r) => (r.status === 'rejected' ? String(r.reason).slice(0, 500) : 'up')), ['up', 'up'], `trial ${trial}`);
        await c.connect();
        assert.equal(await count(c, 'select count(*) as n from node_keys where retired_at is null'), 1, `trial ${trial}: one current signing key`);
        assert.equal(await count(c, 'select count(*) as n from node_keys'), 1, `trial ${trial}: no second key made and retired`);
        assert.equal(await count(c, 'select count(*) as n from exchange_keys where retired_at is null'), 1, `trial ${trial}: one exchange key`);
        assert.deepEqual((await c.query<{ version: number }>('select version from schema_migrations order by version')).rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
        // Both publish the same single signing key.
        const published = await Promise.all(nodes.map(async (n: RunningNode) => {
          const doc = (await (await fetch(`${n.baseUrl}/.well-known/zhengzhao/keys`)).json()) as { keys: { kid: string; use: string }[] };
          return doc.keys.filter((k) => k.use === 'sign').map((k) => k.kid);
        }));
        assert.equal(published[0]!.length, 1);
        assert.deepEqual(published[1], published[0]);
        if (demo) {
          // The demo was seeded once: one trusted app, one OAuth client, and the second node's credentials are the first's.
          assert.equal(await count(c, 'select count(*) as n from trusted_apps'), 1, `trial ${trial}: one demo trusted app`);
          assert.equal(await count(c, 'select count(*) as n from oauth_clients'), 1, `trial ${trial}: one demo OAuth client`);
          const ids = nodes.map((n) => (n.info.certificateIds as string[]).join());
          assert.ok(ids[0]!.length > 0);
          assert.equal(ids[1], ids[0]);
          assert.ok(await count(c, 'select count(*) as n from certificates') > 500);
          const secrets = nodes.map((n) => JSON.stringify([(n.info.national as { secret: string }).secret, (n.info.yrd as { appId: string }).appId]));
          assert.equal(secrets[1], secrets[0]);
        }
      } finally {
        await c.end().catch(() => {});
        await Promise.all(nodes.map((n) => n.stop()));
        await b.cleanup();
      }
    }
  });
});
