import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { buildApp } from '../../src/server/app.js';
import { seedDemo, type DemoCredentials } from '../../src/node/demo.js';
import { AccountService } from '../../src/core/accounts.js';
import { cstCompactDate } from '../../src/domain/dates.js';
import { HopChannel, HopError } from '../../src/federation/hop-channel.js';

const pgSkip = await postgresSkip();
const TOKEN = 'metrics-test-admin-token';

/** The value of one sample of the Prometheus text, its labels given in any order; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.keys(got).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('/metrics', () => {
  const skip = pgSkip;
  let b: Backend;
  let s: Services;
  let app: FastifyInstance;
  let creds: DemoCredentials;
  let token: string;
  before(async () => {
    if (skip) return;
    b = await makeBackend('postgres');
    s = await openServices({ ...loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }, {}), areaCode: '110000' }, { warn: () => {} });
    creds = await seedDemo(s, 'http://127.0.0.1', () => {});
    token = AccountService.expectedToken({ id: creds.national.accountId, scheme: 'hmac-sm3', secret: creds.national.secret }, cstCompactDate(new Date()));
    app = await buildApp(s, { adminToken: TOKEN });
  });
  after(async () => {
    if (skip) return;
    await app.close();
    await s.close();
    await b.cleanup();
  });

  const scrape = async () => {
    const r = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
    return r.body;
  };

  test('needs the admin token', { skip }, async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode, 401);
  });

  test('counts exactly the calls made, by dialect, interface and national result code', { skip }, async () => {
    const holder = creds.holders[0]!.code;
    const call = (accessToken: string) => app.inject({ method: 'POST', url: '/elssp/v1/Retrieval',
      payload: { AccountId: creds.national.accountId, AccessToken: accessToken, CertificateHolderCode: holder, UseFor: '办理演示业务' } });
    for (let i = 0; i < 3; i++) assert.equal((await call(token)).json().head.status, '0');
    for (let i = 0; i < 2; i++) assert.equal((await call('0'.repeat(64))).json().head.status, '11');

    const text = await scrape();
    const ok = { dialect: 'national', interface: 'Retrieval', code: '0' };
    const refused = { ...ok, code: '11' };
    assert.equal(sample(text, 'zhengzhao_http_requests_total', ok), 3);
    assert.equal(sample(text, 'zhengzhao_http_requests_total', refused), 2);
    assert.equal(sample(text, 'zhengzhao_http_request_duration_seconds_count', ok), 3);
    assert.equal(sample(text, 'zhengzhao_http_request_duration_seconds_count', refused), 2);
    assert.equal(sample(text, 'zhengzhao_usage_records_total', ok), 3);
    assert.equal(sample(text, 'zhengzhao_usage_records_total', refused), 2);
    // The two unauthenticated scrapes of the test before, answered by the route itself.
    assert.equal(sample(text, 'zhengzhao_http_requests_total', { dialect: 'node', interface: '/metrics', code: 'http-401' }), 2);
    // Calls one at a time: five commits of one record each.
    assert.equal(sample(text, 'zhengzhao_usage_commit_batch_size_sum'), 5);
    assert.equal(sample(text, 'zhengzhao_usage_commit_duration_seconds_count', { outcome: 'committed' }), 5);
    assert.equal(sample(text, 'zhengzhao_db_pool_connections', { state: 'max' }), 10);
    assert.equal(sample(text, 'zhengzhao_db_pool_connections', { state: 'waiting' }), 0);
    assert.ok((sample(text, 'process_cpu_user_seconds_total') ?? -1) >= 0, 'process metrics');

    // The scrape itself is counted once it was answered.
    assert.equal(sample(await scrape(), 'zhengzhao_http_requests_total', { dialect: 'node', interface: '/metrics', code: 'http-200' }), 1);
  });

  test('hops and circuits per remote node', { skip }, async () => {
    // Port 1 on loopback refuses connections: each hop is unreachable, and one failure opens this circuit.
    const channel = new HopChannel('dead node', 'http://127.0.0.1:1', { timeoutMs: 2000, retries: 0, breakerFailures: 1, breakerCooldownMs: 60_000, watch: s.hops });
    try {
      const post = () => channel.post('http://127.0.0.1:1/x', '{}', { correlationId: 'c', hops: 1, idempotent: false }, () => undefined);
      await assert.rejects(post(), (e: HopError) => e.problem === 'unreachable');
      await assert.rejects(post(), (e: HopError) => e.problem === 'circuit-open');
      const text = await scrape();
      assert.equal(sample(text, 'zhengzhao_hop_duration_seconds_count', { node: 'dead node', outcome: 'unreachable' }), 1);
      assert.equal(sample(text, 'zhengzhao_hop_duration_seconds_count', { node: 'dead node', outcome: 'circuit-open' }), 1);
      assert.equal(sample(text, 'zhengzhao_circuit_state', { node: 'dead node', state: 'open' }), 1);
      assert.equal(sample(text, 'zhengzhao_circuit_state', { node: 'dead node', state: 'closed' }), 0);
    } finally {
      channel.close();
    }
    assert.equal(sample(await scrape(), 'zhengzhao_circuit_state', { node: 'dead node', state: 'open' }), undefined);
  });
});
