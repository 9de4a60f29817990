import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { makeBackend, type Backend } from '../support/backends.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { buildApp } from '../../src/server/app.js';
import { catalogRow, MARRIAGE_TYPE } from '../support/catalog-rows.js';

const TOKEN = 'aggregation-metrics-admin-token';

/** The value of one sample of the Prometheus text (labels in any order); undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.keys(got).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/**
 * A hub's /metrics shows its catalog aggregation (ZWFW C 0124 5.3): rows waiting and how long the
 * oldest has waited, then, after a run, exactly the rows it applied and refused.
 */
describe('aggregation on /metrics', () => {
  let b: Backend;
  let hub: Services;
  let app: FastifyInstance;
  before(async () => {
    b = await makeBackend('postgres');
    hub = await openServices(loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl, role: 'hub' }, {}), { warn: () => {} });
    await hub.catalog.add(MARRIAGE_TYPE);
    app = await buildApp(hub, { adminToken: TOKEN });
  });
  after(async () => {
    await app?.close();
    await hub?.close();
    await b?.cleanup();
  });

  const scrape = async () => {
    const r = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(r.statusCode, 200);
    return r.body;
  };

  test('pending rows and lag before the run, applied and rejected after it', async () => {
    let text = await scrape();
    assert.equal(sample(text, 'zhengzhao_aggregation_pending_rows'), 0);
    assert.equal(sample(text, 'zhengzhao_aggregation_lag_seconds'), 0);
    assert.equal(sample(text, 'zhengzhao_aggregation_rows_total', { outcome: 'applied' }), 0);

    // Three good rows and one whose holder code fails its check digit, reported at 10:00 on 1 January 2026 (CST).
    const rows = [catalogRow(1), catalogRow(2), catalogRow(3), catalogRow(4, { holderCode: '110105194912310021' })];
    await hub.db.transaction((tx) => hub.front.insertRows(tx, rows));
    text = await scrape();
    assert.equal(sample(text, 'zhengzhao_aggregation_pending_rows'), 4);
    const lag = sample(text, 'zhengzhao_aggregation_lag_seconds')!;
    const sinceReported = (Date.now() - Date.parse('2026-01-01T10:00:00+08:00')) / 1000;
    assert.ok(Math.abs(lag - sinceReported) < 120, `lag ${lag} s, the row was reported ${sinceReported} s ago`);

    const run = await hub.aggregator.run();
    assert.deepEqual([run.applied, run.rejected], [3, 1]);
    text = await scrape();
    assert.equal(sample(text, 'zhengzhao_aggregation_rows_total', { outcome: 'applied' }), 3);
    assert.equal(sample(text, 'zhengzhao_aggregation_rows_total', { outcome: 'rejected' }), 1);
    assert.equal(sample(text, 'zhengzhao_aggregation_pending_rows'), 0);
    assert.equal(sample(text, 'zhengzhao_aggregation_lag_seconds'), 0);
  });
});
