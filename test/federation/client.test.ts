import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { NationalClient, HopError, type HopSettings } from '../../src/federation/client.js';
import { CircuitBreaker } from '../../src/federation/breaker.js';
import { correlationIdOf, viaOf } from '../../src/federation/hop.js';
import { hmacSm3 } from '../../src/crypto/sm3.js';
import { cstCompactDate } from '../../src/domain/dates.js';

/** The node-to-node client against a scripted HTTP server: what it sends, when it tries again, when it gives up. */
describe('national client between nodes', () => {
  let server: Server;
  let base: string;
  let script: (req: IncomingMessage, body: any, res: ServerResponse) => void = () => {};
  const seen: { headers: IncomingMessage['headers']; body: any }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => { raw += d; });
      req.on('end', () => {
        const body = JSON.parse(raw || '{}');
        seen.push({ headers: req.headers, body });
        script(req, body, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => { server.closeAllConnections(); server.close(); });

  const settings = (over: Partial<HopSettings> = {}): HopSettings => ({ timeoutMs: 1000, retries: 2, breakerFailures: 2, breakerCooldownMs: 200, ...over });
  const client = (over: Partial<HopSettings> = {}) =>
    new NationalClient({ label: 'node 151', baseUrl: base, credentials: { accountId: 'hub', scheme: 'hmac-sm3', secret: 's3cret' } }, settings(over));
  const answer = (res: ServerResponse, status: number, json: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
  const hop = { correlationId: 'c-1', hops: 2 };

  test('sends the national parameters with the day\'s HMAC-SM3 token, and the correlation ID, hop count and time budget as headers', async () => {
    seen.length = 0;
    script = (_req, _body, res) => answer(res, 200, { head: { status: '0', message: '接口调用成功' }, data: { total: 0, dataList: [] } });
    const r = await client().call('Retrieval', { CertificateHolderCode: 'X' }, { ...hop, budgetMs: 800 });
    assert.deepEqual(r, { status: '0', message: '接口调用成功', data: { total: 0, dataList: [] } });
    const { headers, body } = seen[0]!;
    assert.equal(body.AccountId, 'hub');
    assert.equal(body.AccessToken, hmacSm3(Buffer.from('s3cret'), `hub${cstCompactDate(new Date())}`).toString('hex'));
    assert.equal(body.CertificateHolderCode, 'X');
    assert.equal(headers['x-correlation-id'], 'c-1');
    assert.equal(headers['x-zhengzhao-hops'], '2');
    // The caller waits 800 ms: this hop takes at most 700, and says so to the next.
    assert.ok(Number(headers['x-zhengzhao-budget-ms']) <= 700 && Number(headers['x-zhengzhao-budget-ms']) > 600);
  });

  test('calls to one node, one after another and a few at once, share kept-alive connections', async () => {
    let opened = 0;
    const count = () => { opened++; };
    server.on('connection', count);
    try {
      script = (_req, _body, res) => answer(res, 200, { head: { status: '0', message: '接口调用成功' }, data: { total: 0, dataList: [] } });
      const c = client();
      for (let i = 0; i < 5; i++) assert.equal((await c.call('Retrieval', {}, hop)).status, '0');
      assert.equal(opened, 1, 'one connection for five calls in a row');
      await Promise.all(Array.from({ length: 3 }, () => c.call('Retrieval', {}, hop)));
      for (let i = 0; i < 5; i++) await c.call('Retrieval', {}, hop);
      assert.ok(opened <= 3, `at most one connection per concurrent call (${opened})`);
      c.close();
    } finally {
      server.off('connection', count);
    }
  });

  test('a read is sent again after 503 and a refused connection; each answer in the envelope, whatever its code, is an answer', async () => {
    seen.length = 0;
    let n = 0;
    script = (_req, _body, res) => (++n < 3 ? res.writeHead(503).end() : answer(res, 200, { head: { status: '10', message: '未找到匹配的证照信息' } }));
    const r = await client().call('GetCertificateDataByCertificateID', {}, hop);
    assert.equal(r.status, '10');
    assert.equal(seen.length, 3);

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const gone = new NationalClient({ label: 'node 999', baseUrl: `http://127.0.0.1:${port}`, credentials: { accountId: 'hub', scheme: 'appendix-c' } }, settings());
    const started = Date.now();
    await assert.rejects(gone.call('Retrieval', {}, hop), (e: HopError) => e.problem === 'unreachable' && /ECONNREFUSED/.test(e.message));
    assert.ok(Date.now() - started >= 150, 'two retries with back-off (50 + 100 ms)');
  });

  test('anything not in the list of reads is sent once', async () => {
    seen.length = 0;
    script = (_req, _body, res) => res.writeHead(503).end();
    await assert.rejects(client().call('Register', {}, hop), (e: HopError) => e.problem === 'unreachable');
    assert.equal(seen.length, 1);
  });

  test('a node that does not answer within the hop timeout is a timeout, not retried', async () => {
    seen.length = 0;
    script = () => {}; // never answers
    const started = Date.now();
    await assert.rejects(client({ timeoutMs: 300 }).call('Retrieval', {}, hop), (e: HopError) => e.problem === 'timeout' && /did not answer within 300 ms/.test(e.message));
    const ms = Date.now() - started;
    assert.ok(ms >= 290 && ms < 600, `${ms} ms`);
    assert.equal(seen.length, 1);
  });

  test('a bare 404 is an interface the node does not offer (2); another answer without the envelope is a bad answer', async () => {
    script = (_req, _body, res) => res.writeHead(404).end('not here');
    assert.equal((await client().call('Retrieval', {}, hop)).status, '2');
    script = (_req, _body, res) => res.writeHead(200).end('<html>');
    await assert.rejects(client().call('Retrieval', {}, hop), (e: HopError) => e.problem === 'bad-answer');
  });

  test('the circuit opens after consecutive failures, fails at once while open, lets one trial through after the cool-down', async () => {
    const c = client({ timeoutMs: 200, retries: 0 });
    script = () => {};
    for (let i = 0; i < 2; i++) await assert.rejects(c.call('Retrieval', {}, hop), (e: HopError) => e.problem === 'timeout');
    assert.equal(c.breaker.state, 'open');
    seen.length = 0;
    const started = Date.now();
    await assert.rejects(c.call('Retrieval', {}, hop), (e: HopError) => e.problem === 'circuit-open');
    assert.ok(Date.now() - started < 50);
    assert.equal(seen.length, 0, 'nothing was sent');
    await new Promise((r) => setTimeout(r, 220));
    assert.equal(c.breaker.state, 'half-open');
    script = (_req, _body, res) => answer(res, 200, { head: { status: '0', message: '' }, data: {} });
    assert.equal((await c.call('Retrieval', {}, hop)).status, '0');
    assert.equal(c.breaker.state, 'closed');
  });

  test('breaker: a failed trial opens the circuit again; only one trial at a time', () => {
    let t = 0;
    const b = new CircuitBreaker(3, 100, () => t);
    b.failure(); b.failure();
    assert.equal(b.state, 'closed');
    b.success();
    b.failure(); b.failure();
    assert.equal(b.state, 'closed', 'a success resets the count');
    b.failure();
    assert.equal(b.state, 'open');
    assert.equal(b.tryAcquire(), false);
    t = 100;
    assert.equal(b.tryAcquire(), true);
    assert.equal(b.tryAcquire(), false, 'the trial is in flight');
    b.failure();
    assert.equal(b.state, 'open');
    assert.equal(b.retryInMs, 100);
  });

  test('incoming headers: a well-formed correlation ID is kept, anything else replaced; hops and budget read defensively', () => {
    assert.equal(correlationIdOf({ 'x-correlation-id': 'abc-123' }), 'abc-123');
    assert.match(correlationIdOf({ 'x-correlation-id': 'bad id\n' }), /^[0-9a-f-]{36}$/);
    assert.match(correlationIdOf({}), /^[0-9a-f-]{36}$/);
    assert.deepEqual(viaOf({}), { hops: 0 });
    assert.deepEqual(viaOf({ 'x-zhengzhao-hops': '2', 'x-zhengzhao-budget-ms': '1400' }), { hops: 2, budgetMs: 1400 });
    assert.deepEqual(viaOf({ 'x-zhengzhao-hops': '-1', 'x-zhengzhao-budget-ms': 'soon' }), { hops: 0 });
  });
});
