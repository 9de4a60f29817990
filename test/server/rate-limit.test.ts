import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { makeBackend, type Backend } from '../support/backends.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { buildApp } from '../../src/server/app.js';

const LIMITS = { ZHENGZHAO_RATE_LIMIT_PER_ACCOUNT: '3', ZHENGZHAO_RATE_LIMIT_PER_ADDRESS: '6', ZHENGZHAO_RATE_LIMIT_SYNC_MS: '50', ZHENGZHAO_RATE_LIMIT_WINDOW: '3600' };
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('rate limit per account and per address, shared by the processes on one database', () => {
  let b: Backend;
  const services: Services[] = [];
  const apps: FastifyInstance[] = [];
  let address = 0;
  /** A fresh address per test, so the tests' address counts do not meet. */
  const fresh = () => `10.9.${Math.floor(++address / 200)}.${address % 200 + 1}`;

  before(async () => {
    b = await makeBackend('postgres');
    // Two "processes" on one database: two service sets, two apps.
    for (let i = 0; i < 2; i++) {
      const s = await openServices({ ...loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }, LIMITS), areaCode: '110000' }, { warn: () => {} });
      services.push(s);
      apps.push(await buildApp(s));
    }
  });
  after(async () => {
    for (const a of apps) await a.close();
    for (const s of services) await s.close();
    await b?.cleanup();
  });

  const national = (app: FastifyInstance, from: string, account = 'ACC1', token = 'right') =>
    app.inject({ method: 'POST', url: '/elssp/v1/Retrieval', remoteAddress: from, payload: { AccountId: account, AccessToken: token, CertificateHolderCode: '110101199003071233', UseFor: '办理' } });

  test('the fourth call of an account within the window is refused in the national code, from whatever address', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await national(apps[0]!, fresh(), 'ACC-A'));
    assert.deepEqual(answers.map((a) => a.json().head.status), ['11', '11', '11', '99']);
    assert.equal(answers[3]!.statusCode, 429);
    assert.deepEqual(answers[3]!.json().head, { status: '99', message: '其他异常: too many requests; try again in ' + answers[3]!.headers['retry-after'] + ' s' });
    assert.ok(Number(answers[3]!.headers['retry-after']) >= 1);
    // Naming the account with another token is another bucket: a stranger cannot use up the account's calls.
    assert.equal((await national(apps[0]!, fresh(), 'ACC-A', 'guess')).json().head.status, '11');
  });

  test('another process sees the counts once it has synchronised', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await national(apps[0]!, fresh(), 'ACC-B')).statusCode, 200);
    await settle();
    const other = await national(apps[1]!, fresh(), 'ACC-B');
    assert.equal(other.statusCode, 429);
    assert.equal(other.json().head.status, '99');
  });

  test('an address is limited whatever accounts it names, on every dialect and page, each in its own code', async () => {
    const from = fresh();
    for (let i = 0; i < 6; i++) assert.equal((await national(apps[0]!, from, `ADDR-${i}`)).statusCode, 200);
    const sichuan = await apps[0]!.inject({ method: 'POST', url: '/sichuan/v1/Retrieval', remoteAddress: from, payload: { head: { accountId: 'X', accessToken: 'y' }, data: {} } });
    assert.equal(sichuan.statusCode, 429, sichuan.body + ' from ' + from);
    assert.equal(sichuan.json().head.status, '99');
    const beijing = await apps[0]!.inject({ method: 'GET', url: '/beijing/api/security/get_current_user?access_token=t', remoteAddress: from });
    assert.equal(beijing.statusCode, 429);
    assert.deepEqual([beijing.json().ack_code, beijing.json().errors], ['FAILURE', [{ code: 'TOO_MANY_REQUESTS', message: '请求过于频繁，请稍后再试' }]]);
    const view = await apps[0]!.inject({ method: 'GET', url: '/beijing/web/license/view_license?license_access_token=t', remoteAddress: from });
    assert.equal(view.statusCode, 429);
    assert.match(view.body, /请求过于频繁，请稍后再试。/);
    const zaozhuang = await apps[0]!.inject({ method: 'POST', url: '/license-api-release/m/v/license/external/api/ShareQueryCertInfo', remoteAddress: from, payload: { access_token: 't' } });
    assert.equal(zaozhuang.statusCode, 429);
    assert.equal(String(zaozhuang.json().head.status), '99');
    const oauth = await apps[0]!.inject({ method: 'POST', url: '/license-api-release/oauth/token', remoteAddress: from, payload: { grant_type: 'password' } });
    assert.equal(oauth.statusCode, 429);
    assert.equal(oauth.json().error, 'temporarily_unavailable');
    const yrd = await apps[0]!.inject({ method: 'POST', url: '/yrd/v1/certificates/retrieval', remoteAddress: from, payload: {} });
    assert.equal(yrd.statusCode, 429, yrd.body);
    assert.equal(yrd.json().code, 99);
    const page = await apps[0]!.inject({ method: 'GET', url: '/verify/X', remoteAddress: from });
    assert.deepEqual([page.statusCode, page.json()], [429, { error: 'too many requests' }]);
    // The health check is not limited; another address is not affected.
    assert.equal((await apps[0]!.inject({ method: 'GET', url: '/healthz', remoteAddress: from })).statusCode, 200);
    assert.equal((await national(apps[0]!, fresh(), 'ADDR-X')).json().head.status, '11');
  });
});

test('the limit is off unless configured', () => {
  const cfg = loadConfig({}, {});
  assert.deepEqual([cfg.rateLimit.perAccount, cfg.rateLimit.perAddress], [0, 0]);
});
