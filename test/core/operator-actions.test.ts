import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { verifyLogLocally } from '../../src/core/log-verify.js';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { ISSUER, ISSUER_NAME } from '../support/catalog-rows.js';

const pgSkip = await postgresSkip();

/**
 * Issue 19: every operator action on accounts, apps, registrations, seals, keys and logins is an
 * operator_actions row and a leaf of the log, whose digest the verifier recomputes from the row.
 */
describe('operator actions in the transparency log', { skip: pgSkip }, () => {
  let b: Backend;
  let s: Services;
  before(async () => {
    b = await makeBackend('postgres');
    s = await openServices(loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }), { warn: () => {} });
  });
  after(async () => {
    await s?.close();
    await b?.cleanup();
  });

  test('apps, operators, logins (refused too), accounts, seals, items, trusted apps, OAuth clients and key rotation', async () => {
    const app = await s.sessions.addApp('审计测试系统');
    await s.sessions.addOperator({ account: 'audit_op', name: '审计员', identityNum: '110105198512030772', creator: 'test' }, 'a-password-1');
    const token = await s.sessions.login(app.appKey, app.appSecret, 'audit_op', 'a-password-1');
    await assert.rejects(s.sessions.login(app.appKey, app.appSecret, 'audit_op', 'wrong-password'));
    await s.sessions.logout(token);
    await s.accounts.create({ id: 'audit_acct', name: '审计账号', scheme: 'hmac-sm3', allowedIps: [] });
    const seal = await s.seals.add({ orgCode: ISSUER, orgName: ISSUER_NAME });
    await s.items.add({ code: 'AUDIT-1', name: '审计事项', orgName: ISSUER_NAME, orgCode: ISSUER, areaCode: '110105', typeCodes: [] });
    const trusted = await s.trustedApps.add('可信应用');
    await s.trustedApps.setDisabled(trusted.appId, true);
    await s.oauth.addClient({ clientId: 'audit-client', name: '审计客户端' });
    const kid = await s.exchangeKeys.rotate();

    const rows = await s.db.query<{ action: string; subject: string; detail: Record<string, unknown>; leaves: number }>(
      `select a.action, a.subject, a.detail, (select count(*)::int from log_leaves l where l.kind = 'operator' and l.ref = a.id::text) as leaves
       from operator_actions a order by a.id`);
    const seen = rows.map((r) => `${r.action} ${r.subject}`);
    for (const want of [
      `app.create ${app.appKey}`, 'operator.create audit_op', 'login audit_op', 'login.refused audit_op', 'logout session',
      'account.create audit_acct', `seal.create ${seal.esId}`, 'item.create AUDIT-1', `trusted-app.create ${trusted.appId}`,
      `trusted-app.state ${trusted.appId}`, 'oauth-client.create audit-client', `key.rotate ${kid}`,
    ]) assert.ok(seen.includes(want), `${want} not in ${seen.join(' | ')}`);
    assert.ok(rows.every((r) => r.leaves === 1), 'each action has exactly one leaf');
    // No secret and no ID number in what is recorded.
    const text = JSON.stringify(rows);
    for (const secret of [app.appSecret, 'a-password-1', 'wrong-password', token, trusted.appSecret, '110105198512030772']) assert.ok(!text.includes(secret));
    assert.equal(rows.find((r) => r.action === 'login.refused')!.detail.problem, 'bad-credentials');

    const check = await verifyLogLocally(s.db);
    assert.equal(check.problem, undefined, JSON.stringify(check.problem));
    // An altered action row is found by the verifier.
    await s.db.query(`update operator_actions set subject = 'someone_else' where action = 'login' and subject = 'audit_op'`);
    assert.match((await verifyLogLocally(s.db)).problem?.message ?? '', /operator record \d+ was altered/);
  });
});
