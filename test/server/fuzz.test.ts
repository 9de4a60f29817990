import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { fuzz } from '../../fuzz/fuzzer.js';

const pgSkip = await postgresSkip();

/** A short seeded round of the fuzzer (`npm run fuzz` runs long ones): every route, hostile input, nothing internal shows. */
const REQUESTS = Number(process.env.ZHENGZHAO_FUZZ_REQUESTS ?? 3000);

// PostgreSQL only: PGlite (being retired) answers on one connection, and the round takes it two minutes.
for (const name of ['postgres'] as const) {
  describe(`fuzzing every route (${name})`, () => {
    const skip = pgSkip;
    let b: Backend;
    before(async () => { if (!skip) b = await makeBackend(name); });
    after(async () => { if (!skip) await b.cleanup(); });

    test(`${REQUESTS} hostile requests: no 5xx, no internal text, each in its envelope`, { skip }, async () => {
      const r = await fuzz({ requests: REQUESTS, seed: 20260415, dataDir: b.dataDir, databaseUrl: b.databaseUrl });
      const findings = r.findings.map((f) => `${f.status} ${f.problem} ${f.method} ${f.url.slice(0, 120)} ${f.excerpt.slice(0, 200)}`).join('\n');
      assert.equal(r.requests, REQUESTS);
      // Every route Fastify registered was requested (the first requests go through them all).
      assert.ok(r.routes > 100, `${r.routes} routes`);
      assert.equal(r.routesHit, r.routes);
      assert.deepEqual({ serverErrors: r.serverErrors, internalTexts: r.internalTexts, wrongEnvelopes: r.wrongEnvelopes, loggedErrors: r.loggedErrors },
        { serverErrors: 0, internalTexts: 0, wrongEnvelopes: 0, loggedErrors: 0 }, findings);
    });
  });
}
