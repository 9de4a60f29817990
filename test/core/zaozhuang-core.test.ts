import { test, before, after, describe } from 'node:test';
import { verifyLogLocally } from '../../src/core/log-verify.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { OAuthService, OAuthError } from '../../src/core/oauth.js';
import { OAuthRepo } from '../../src/store/oauth.js';
import { SharingService } from '../../src/core/sharing.js';
import { ServiceError } from '../../src/domain/return-codes.js';
import { endOfCstDay } from '../../src/domain/annotation.js';
import { formatCertificateId } from '../../src/domain/identifier.js';
import { makeCitizenId } from '../../src/domain/holder-code.js';
import type { Certificate } from '../../src/domain/model.js';
import { zaozhuangFieldVerification } from '../../src/dialects/zaozhuang/verification.js';
import { Params, callerContext, copyExpiryOf } from '../../src/dialects/zaozhuang/params.js';
import type { CallContext } from '../../src/core/usage.js';
import { makeBackend, type Backend } from '../support/backends.js';

/** Core pieces the Zaozhuang interface added, in process, with a clock the tests move. */
describe('core of the Zaozhuang interface', () => {
  let b: Backend;
  let s: Services;
  let clock = Date.parse('2026-04-27T02:00:00Z');
  const now = () => clock;
  let oauth: OAuthService;
  const TYPE = '12370400F49201558F001';
  const holder = makeCitizenId('370403', '19881209', 12);
  const cert = (serial: string, extra: Partial<Certificate> = {}): Certificate => ({
    id: formatCertificateId({ typeCode: TYPE, issuerCode: '12370400F49201558F', serial, version: '001' }),
    typeCode: TYPE, typeName: '中国XXXX操作证书', name: '中国XXXX操作证书', number: serial,
    holder: { name: '陈晓', code: holder, codeType: '111' }, issuer: { name: 'XX市无线电管理处', code: '12370400F49201558F' },
    issueDate: '2013-09-23', validFrom: '2013-09-23', validTo: '2036-09-22', status: 'issued', version: 1,
    surface: [{ name: '操作类别', columnName: 'KZ_CZLB', valueType: 'string', value: 'A类' }], detail: [], ...extra,
  });

  before(async () => {
    b = await makeBackend();
    s = await openServices(loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }, {}), { warn: () => {} });
    oauth = new OAuthService(new OAuthRepo(s.db), { accessTtlSeconds: 43200, refreshTtlSeconds: 86400, lockAfter: 5, lockSeconds: 900 }, now);
    await oauth.addClient({ clientId: 'xxxx-oauth', name: '业务系统', secret: 'xxxx-mobile' });
    await oauth.addUser({ username: 'clerk', name: '市人社局', password: 'clerk-pass-1', roles: ['info', 'view'] });
    await s.types.insertIfMissing({ code: TYPE, name: '中国XXXX操作证书', fields: [], status: 'published', isOpen: true });
    for (const c of [cert('A1'), cert('A2', { status: 'suspended' }), cert('A3', { validTo: '2016-09-22' }), cert('A4', { status: 'draft' }),
      cert('A5', { issueDate: '2026-04-01', validFrom: '2090-01-01', validTo: '2099-12-31' })]) await s.certs.insert(c);
  });
  after(async () => {
    await s.close();
    await b.cleanup();
  });

  const login = () => oauth.passwordGrant({ clientId: 'xxxx-oauth', clientSecret: 'xxxx-mobile', username: 'clerk', password: 'clerk-pass-1', scope: 'read write' });
  const refused = async (p: Promise<unknown>, problem: string) => {
    await assert.rejects(p, (e: unknown) => e instanceof OAuthError && e.problem === problem, problem);
  };

  test('access tokens last 12 hours; refresh tokens rotate, once', async () => {
    const g = await login();
    assert.equal(g.expiresIn, 43199);
    clock += 43199_000;
    assert.deepEqual((await oauth.authenticate(g.accessToken)).roles, ['info', 'view']);
    clock += 1000;
    await refused(oauth.authenticate(g.accessToken), 'expired-token');
    // Two refreshes racing with the same token: one wins, the other finds it spent.
    const both = await Promise.allSettled([1, 2].map(() => oauth.refreshGrant({ clientId: 'xxxx-oauth', clientSecret: 'xxxx-mobile', refreshToken: g.refreshToken })));
    assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const won = both.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<typeof login>>>;
    assert.equal((await oauth.authenticate(won.value.accessToken)).username, 'clerk');
    await refused(oauth.refreshGrant({ clientId: 'xxxx-oauth', clientSecret: 'xxxx-mobile', refreshToken: won.value.refreshToken, scope: 'read admin' }), 'invalid-scope');
    const narrowed = await oauth.refreshGrant({ clientId: 'xxxx-oauth', clientSecret: 'xxxx-mobile', refreshToken: won.value.refreshToken, scope: 'read' });
    assert.equal(narrowed.scope, 'read');
    await refused(oauth.refreshGrant({ clientId: 'xxxx-oauth', clientSecret: 'xxxx-mobile', refreshToken: narrowed.refreshToken, scope: 'read write' }), 'invalid-scope');
    clock += 86400_000;
    await refused(oauth.refreshGrant({ clientId: 'xxxx-oauth', clientSecret: 'xxxx-mobile', refreshToken: narrowed.refreshToken }), 'expired-grant');
    await refused(oauth.refreshGrant({ clientId: 'other', clientSecret: 'xxxx-mobile', refreshToken: narrowed.refreshToken }), 'invalid-client');
  });

  test('roles bound what a token may call; revoking a user ends its tokens', async () => {
    const p = await oauth.authenticate((await login()).accessToken);
    oauth.authorize(p, 'view');
    assert.throws(() => oauth.authorize(p, 'download'), (e: unknown) => e instanceof OAuthError && e.problem === 'insufficient-role' && e.detail === 'download');
    const g = await login();
    assert.equal(await oauth.revokeUser('clerk'), 2);
    await refused(oauth.authenticate(g.accessToken), 'revoked-token');
    await assert.rejects(oauth.addUser({ username: 'x', name: 'x', roles: [] }), /at least one interface role/);
    await assert.rejects(oauth.addUser({ username: 'x', name: 'x', roles: ['admin' as never] }), /unknown interface role admin/);
  });

  test('a download may set the copy\'s expiry; one in the past is refused (24) and recorded', async () => {
    const sharing = new SharingService(s.certs, s.types, s.usage, s.tickets, s.encryptedIds, 30, () => '2026-04-27', now);
    const ctx: CallContext = { dialect: 'test', interface: 'download', reason: '个人参保缴费证明查询打印', context: { certificateSystemName: 'XXXX 服务平台' } };
    const until = endOfCstDay('2026-05-27');
    const link = await sharing.fileById(ctx, cert('A1').id, 'pdf', until);
    const ticket = s.tickets.check(link.token, now());
    assert.ok(ticket.ok);
    assert.deepEqual(ticket.ticket.copy, { reason: '个人参保缴费证明查询打印', maker: 'test', expiresAt: until });
    assert.equal(ticket.ticket.expires, Math.floor(now() / 1000) + 600, 'the link itself lasts 10 minutes');
    await assert.rejects(sharing.fileById(ctx, cert('A1').id, 'pdf', endOfCstDay('2026-04-26')),
      (e: unknown) => e instanceof ServiceError && e.code === '24' && e.fields[0] === 'copyExpiry');
    const rows = await s.usage.list({ limit: 2 });
    assert.deepEqual(rows.map((r) => [r.interface, r.resultCode, r.context]), [
      ['download', '24', { certificateSystemName: 'XXXX 服务平台' }], ['download', '0', { certificateSystemName: 'XXXX 服务平台' }]]);
    assert.equal((await verifyLogLocally(s.db)).problem, undefined);
  });

  test('the log covers the context: altering it is found by the log check', async () => {
    await s.usage.record({ dialect: 'test', interface: 'x', certificateIds: [], resultCode: '0', context: { callDistrict: '峄城区', empty: '' } });
    await s.usage.record({ dialect: 'test', interface: 'y', certificateIds: [], resultCode: '0' });
    const rows = await s.usage.list({ limit: 2 });
    assert.deepEqual(rows.map((r) => r.context), [null, { callDistrict: '峄城区' }]);
    assert.equal((await verifyLogLocally(s.db)).problem, undefined);
    await s.db.query(`update usage_records set context = '{"callDistrict":"薛城区"}' where id = $1`, [rows[1]!.id]);
    assert.match((await verifyLogLocally(s.db)).problem?.message ?? '', new RegExp(`usage record ${rows[1]!.id} was altered`));
    await s.db.query(`update usage_records set context = '{"callDistrict":"峄城区"}' where id = $1`, [rows[1]!.id]);
    assert.equal((await verifyLogLocally(s.db)).problem, undefined);
  });

  test('checkClaim: only what is stated is compared; the outcome carries the certificate\'s state', async () => {
    const ctx: CallContext = { dialect: 'test', interface: 'verify', reason: '核验' };
    const check = (attributes: object, surface: Record<string, string> = {}) => s.sharing.checkClaim(ctx, { holderCode: holder, typeCode: TYPE, attributes, surface });
    const r = async (attributes: object, surface: Record<string, string> = {}) => zaozhuangFieldVerification(await check(attributes, surface)).result;
    assert.equal(await r({ number: 'A1' }), '0');
    assert.equal(await r({ number: 'A1', holderName: '陈晓', issueDate: '2013年09月23日' }, { KZ_CZLB: 'A类' }), '0');
    assert.equal(await r({ number: 'A2' }), '2');
    assert.equal(await r({ number: 'A3' }), '3');
    // 4.3.4 result 1 信息正确且未激活: a draft, and a certificate whose validity begins in 2090.
    assert.deepEqual(zaozhuangFieldVerification(await check({ number: 'A4' })), { result: '1', message: '信息正确且未激活' });
    assert.deepEqual(zaozhuangFieldVerification(await check({ number: 'A5' })), { result: '1', message: '信息正确且未激活' });
    assert.equal(await r({ holderName: '陈晓' }), '0', 'several fit: the usable one answers');
    assert.equal(await r({ holderCode: holder }), '4', 'restating the holder says nothing about the certificate');
    assert.equal(await r({ number: 'A1' }, { KZ_XM: '陈晓' }), '4');
    assert.equal(await r({ number: 'A1' }, { KZ_CZLB: 'B类' }), '5');
    assert.equal(await r({ number: 'A9' }), '5');
    assert.equal(zaozhuangFieldVerification({ outcome: 'match', certificate: cert('A1'), usability: 'draft' }).message, '信息正确且未激活');
    await assert.rejects(check({ validTo: 'someday' }), (e: unknown) => e instanceof ServiceError && e.code === '24' && e.fields[0] === 'claim.validTo');
  });

  test('QR values: our verify URLs, bare identifiers, registered decoders; anything else is 24', async () => {
    const id = cert('A1').id;
    assert.equal(await s.qr.resolve(`https://zz.example.cn/verify/${encodeURIComponent(id)}`), id);
    assert.equal(await s.qr.resolve(` ${id} `), id);
    await assert.rejects(s.qr.resolve('https://zz.example.cn/verify/1.2.3'), (e: unknown) => e instanceof ServiceError && e.code === '24');
    await assert.rejects(s.qr.resolve(''), (e: unknown) => e instanceof ServiceError && e.code === '12');
    s.qr.register('test-encrypted', (v) => (v === 'ENC:abc' ? id : undefined));
    assert.equal(await s.qr.resolve('ENC:abc'), id);
  });
});

test('Zaozhuang caller fields: misprinted districts are recorded as meant; the expiry is the end of its day', () => {
  const ctx: CallContext = { dialect: 'zaozhuang', interface: 'x', context: { clientId: 'c' } };
  const p = Params.from({ certificateEventCode: '1137000000450258552372014020002', certificateMatterName: '事项', callDistrict: '市市区', operTime: '20240427101530', clientInfo_operName: '王小明', certificateCopyCause: '事由' });
  callerContext(p, ctx, 'certificateCopyCause');
  assert.deepEqual(ctx, {
    dialect: 'zaozhuang', interface: 'x', itemCode: '1137000000450258552372014020002', itemName: '事项', operator: '王小明', reason: '事由',
    context: { clientId: 'c', callDistrict: '市中区', operTime: '20240427101530', clientInfo_operName: '王小明' },
  });
  assert.throws(() => callerContext(Params.from({ operTime: '2024-02-30 10:00:00' }), { dialect: 'z', interface: 'x' }, 'r'), /operTime/);
  assert.equal(copyExpiryOf(Params.from({ expiryTime: '2021-08-26' })), Date.parse('2021-08-26T15:59:59.999Z'));
  assert.equal(copyExpiryOf(Params.from({})), undefined);
  assert.throws(() => copyExpiryOf(Params.from({ expiryTime: '2021-8-26' })), /expiryTime/);
});
