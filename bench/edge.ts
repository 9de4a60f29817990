/**
 * What the edge checks cost: national Retrieval on two servers in one process, on one database,
 * identical but for the per-request checks (hostile input refused at the edge, the rate limit per
 * address and per account with limits no load reaches, X-Forwarded-For from a trusted proxy), loaded
 * in alternating rounds so both meet the same machine.
 *
 *   npm run bench:edge -- [--seconds 5] [--rounds 3] [--connections 16]
 *
 * Prints requests per second of each and the ratio (checks on / off); the goal is at least 0.95.
 */
import autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { openServices } from '../src/node/services.js';
import { buildApp } from '../src/server/app.js';
import { seedDemo } from '../src/node/demo.js';
import { AccountService } from '../src/core/accounts.js';
import { cstCompactDate } from '../src/domain/dates.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase, numberArg } from './support.js';
import type { FastifyRequest } from 'fastify';
import { checkAtEdge } from '../src/server/edge.js';
import { claimedAccount } from '../src/server/caller-account.js';
import { RateLimiter } from '../src/server/rate-limit.js';
import type { RateCounts } from '../src/store/rate-counts.js';

const SECONDS = numberArg('seconds', 5);
const ROUNDS = numberArg('rounds', 3);
const CONNECTIONS = numberArg('connections', 16);
const log = (m: string) => console.error(`[bench:edge] ${m}`);

async function main() {
  const databaseUrl = await freshDatabase('zz_bench_edge');
  const env = {
    ZHENGZHAO_RATE_LIMIT_PER_ADDRESS: '1000000000', ZHENGZHAO_RATE_LIMIT_PER_ACCOUNT: '1000000000', ZHENGZHAO_TRUST_PROXY: '127.0.0.1/32',
  };
  const cfg = { ...loadConfig({ data: mkdtempSync(join(tmpdir(), 'zz-bench-edge-')), databaseUrl }, env), areaCode: '110000' };
  const s = await openServices(cfg, { warn: () => {} });
  const creds = await seedDemo(s, 'http://127.0.0.1', () => {});
  const servers: Record<'on' | 'off', FastifyInstance> = { on: await buildApp(s), off: await buildApp(s, { edgeChecks: false }) };
  const urls = { on: await servers.on.listen({ port: 0, host: '127.0.0.1' }), off: await servers.off.listen({ port: 0, host: '127.0.0.1' }) };
  const token = AccountService.expectedToken({ id: creds.national.accountId, scheme: 'hmac-sm3', secret: creds.national.secret }, cstCompactDate(new Date()));
  const holders = creds.holders.map((h) => h.code);
  let n = 0;
  const body = () => new URLSearchParams({ AccountId: creds.national.accountId, AccessToken: token, CertificateHolderCode: holders[n++ % holders.length]!, UseFor: '办理演示业务' }).toString();

  const load = async (url: string) => {
    const r = await autocannon({
      url: `${url}/elssp/v1/Retrieval`, connections: CONNECTIONS, duration: SECONDS, method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '10.1.2.3' },
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }) }],
    } as autocannon.Options);
    if (r.errors + r.timeouts + r.non2xx > 0) throw new Error(`${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx`);
    return r.requests.average;
  };
  // Warm-up rounds (the JIT, the database's caches), then alternating rounds.
  for (let i = 0; i < 2; i++) {
    await load(urls.off);
    await load(urls.on);
  }
  const sums = { on: 0, off: 0 };
  for (let i = 0; i < ROUNDS; i++) {
    for (const which of (i % 2 === 0 ? ['off', 'on'] : ['on', 'off']) as const) {
      const rps = await load(urls[which]);
      sums[which] += rps;
      log(`round ${i + 1}, checks ${which}: ${Math.round(rps)} req/s`);
    }
  }
  const on = Math.round(sums.on / ROUNDS);
  const off = Math.round(sums.off / ROUNDS);
  // On a shared machine the rounds' throughput varies more than the checks cost, so the checks are
  // also timed alone: what they add to one Retrieval, against the time one Retrieval takes.
  const perRequestUs = await checksAlone(creds.national.accountId, token, holders[0]!);
  const retrievalUs = 1e6 / off;
  console.log(JSON.stringify({
    endpoint: 'national Retrieval', checksOff: off, checksOn: on, ratio: Number((on / off).toFixed(3)),
    checksUsPerRequest: Number(perRequestUs.toFixed(2)), retrievalUsPerRequest: Math.round(retrievalUs), checksShare: Number((perRequestUs / retrievalUs).toFixed(4)),
    seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS,
  }));
  await servers.on.close();
  await servers.off.close();
  await s.close();
}

/** Microseconds the edge's per-request work takes: the input check, the account claim and the rate limit's count. */
async function checksAlone(accountId: string, token: string, holder: string): Promise<number> {
  const noStore = { add: async () => new Map(), read: async () => 0, purge: async () => {} } as unknown as RateCounts;
  const limiter = new RateLimiter({ perAddress: 1e9, perAccount: 1e9, windowSeconds: 60, syncMs: 1000 }, noStore);
  const req = {
    url: '/elssp/v1/Retrieval', ip: '10.1.2.3', headers: {}, query: {}, params: {},
    body: { AccountId: accountId, AccessToken: token, CertificateHolderCode: holder, UseFor: '办理演示业务' },
  } as unknown as FastifyRequest;
  const N = 200_000;
  const pass = async () => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      checkAtEdge(req);
      await limiter.hit(req.ip, claimedAccount(req));
    }
    return Number(process.hrtime.bigint() - t0) / 1000 / N;
  };
  await pass();
  return Math.min(await pass(), await pass());
}

await main();
