import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { NationalClient } from '../../src/federation/client.js';
import { NationalNode } from '../../src/federation/national-node.js';
import { hubThenDirect } from '../../src/core/reach/hub-then-direct.js';

/**
 * Seed 004 flow f with the settings a node starts with, not shortened ones: the hub is given
 * ZHENGZHAO_YRD_HUB_TIMEOUT_MS (10 s) before the direct channel is tried, although the channel's own
 * per-hop timeout (ZHENGZHAO_HOP_TIMEOUT_MS, 5 s) is shorter: the flow's threshold is the hop's limit.
 * The hub here is a real socket that accepts the request and never answers.
 */
test('flow f with default settings: a hung hub is given its full 10 s, not the 5 s hop default, then the province is asked directly', async () => {
  const cfg = loadConfig({ port: 0 });
  assert.equal(cfg.federation.hopTimeoutMs, 5000, 'the default per-hop timeout');
  assert.equal(cfg.yrd.hubTimeoutMs, 10_000, 'the default flow f threshold');
  const sockets = new Set<Socket>();
  const hung = createServer((s) => { sockets.add(s); s.on('data', () => {}); });
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
  const client = new NationalClient({ label: 'the hub', baseUrl: url, credentials: { accountId: 'p', scheme: 'hmac-sm3', secret: 's' } }, {
    timeoutMs: cfg.federation.hopTimeoutMs, retries: cfg.federation.hopRetries, breakerFailures: cfg.federation.breakerFailures, breakerCooldownMs: cfg.federation.breakerCooldownMs,
  });
  const hub = new NationalNode('hub', client);
  try {
    const started = Date.now();
    let askedDirectlyAt = 0;
    // What TrustedSharing sends (flowOnward): the flow's threshold as the hop's own limit.
    const answer = await hubThenDirect(() => hub.retrieve({ correlationId: 'flow-f', hops: 1, timeoutMs: cfg.yrd.hubTimeoutMs }, { holderCode: '11010519491231002X' }),
      async () => { askedDirectlyAt = Date.now() - started; return ['from the province']; }, cfg.yrd.hubTimeoutMs, [] as string[]);
    assert.deepEqual(answer.value, ['from the province']);
    assert.equal(answer.path, 'direct');
    // A lower bound only (load can only lengthen it): before this change the hop gave up at 5 s.
    assert.ok(askedDirectlyAt >= cfg.yrd.hubTimeoutMs - 50, `the province was asked after ${askedDirectlyAt} ms`);
    assert.match(answer.hubProblem ?? '', /10000 ms|within 10000/, answer.hubProblem);
  } finally {
    client.close();
    for (const s of sockets) s.destroy();
    hung.close();
  }
});
