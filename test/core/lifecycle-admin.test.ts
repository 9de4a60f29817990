import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { AdminLifecycleError } from '../../src/core/lifecycle-admin.js';
import { eventsOf } from '../../src/store/certificate-events.js';
import { ReturnCode, ServiceError } from '../../src/domain/return-codes.js';
import { formatCertificateId } from '../../src/domain/identifier.js';
import { makeCitizenId } from '../../src/domain/holder-code.js';
import type { Certificate } from '../../src/domain/model.js';
import type { CallContext } from '../../src/core/usage.js';
import { makeBackend, type Backend } from '../support/backends.js';

/** The operator's suspend / resume / abolish (DB3704/T 0042 4.3.5 result 4 暂时失效, ZWFW C 0124 appendix A 23 已受限使用). */
describe('suspend, resume and abolish by the operator', () => {
  let b: Backend;
  let s: Services;
  const TYPE = '12370400F49201558F001';
  const holder = makeCitizenId('370403', '19881209', 12);
  const cert = (serial: string, extra: Partial<Certificate> = {}): Certificate => ({
    id: formatCertificateId({ typeCode: TYPE, issuerCode: '12370400F49201558F', serial, version: '001' }),
    typeCode: TYPE, typeName: '中国XXXX操作证书', name: '中国XXXX操作证书', number: serial,
    holder: { name: '陈晓', code: holder, codeType: '111' }, issuer: { name: 'XX市无线电管理处', code: '12370400F49201558F' },
    issueDate: '2013-09-23', validFrom: '2013-09-23', validTo: '2036-09-22', status: 'issued', version: 1,
    surface: [{ name: '操作类别', columnName: 'KZ_CZLB', valueType: 'string', value: 'A类' }], detail: [], ...extra,
  });
  const ctx: CallContext = { dialect: 'national', interface: 'GetCertificateDataByCertificateID', accountId: 'demo', reason: '核验' };
  const by = { account: '李四', via: 'cli' as const };
  const A1 = cert('A1');
  const A2 = cert('A2', { status: 'draft' });

  before(async () => {
    b = await makeBackend();
    s = await openServices(loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }, {}), { warn: () => {} });
    await s.types.insertIfMissing({ code: TYPE, name: '中国XXXX操作证书', fields: [], status: 'published', isOpen: true });
    for (const c of [A1, A2]) await s.certs.insert(c);
  });
  after(async () => {
    await s.close();
    await b.cleanup();
  });

  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return ReturnCode.Success;
    } catch (e) {
      if (e instanceof ServiceError) return e.code;
      throw e;
    }
  };
  const problem = (p: Promise<unknown>, expected: string) =>
    assert.rejects(p, (e: unknown) => e instanceof AdminLifecycleError && e.problem === expected, expected);

  test('a suspended certificate answers 23 (已受限使用) until resumed; each step is an event with operator and reason', async () => {
    assert.equal(await code(s.sharing.dataById(ctx, A1.id)), ReturnCode.Success);
    assert.deepEqual(await s.lifecycle.suspend(A1.id, '  暂扣：涉嫌违规操作  ', by), { id: A1.id, status: 'suspended', reason: '暂扣：涉嫌违规操作' });
    assert.equal((await s.certs.get(A1.id))?.status, 'suspended');
    assert.equal(await code(s.sharing.dataById(ctx, A1.id)), ReturnCode.Restricted);
    assert.equal(ReturnCode.Restricted, '23');
    await problem(s.lifecycle.suspend(A1.id, '再次暂扣', by), 'not-issued');
    assert.deepEqual(await s.lifecycle.resume(A1.id, '核查完毕', by), { id: A1.id, status: 'issued', reason: '核查完毕' });
    assert.equal(await code(s.sharing.dataById(ctx, A1.id)), ReturnCode.Success);
    await problem(s.lifecycle.resume(A1.id, undefined, by), 'not-suspended');
    const events = (await eventsOf(s.db, A1.id)).map((e) => [e.action, e.reason, e.operator, e.itemCode]);
    assert.deepEqual(events, [
      ['suspend', '暂扣：涉嫌违规操作', { account: '李四', via: 'cli' }, undefined],
      ['resume', '核查完毕', { account: '李四', via: 'cli' }, undefined],
    ]);
  });

  test('an operator of one organisation acts on that organisation\'s certificates only', async () => {
    const other = { ...by, via: 'console' as const, orgCode: '12370400F49201559X' };
    await problem(s.lifecycle.suspend(A1.id, '暂扣', other), 'not-issuer');
    await problem(s.lifecycle.abolish(A1.id, '吊销', other), 'not-issuer');
    assert.equal((await s.certs.get(A1.id))?.status, 'issued', 'nothing changed');
    const own = { ...by, via: 'console' as const, orgCode: A1.issuer.code };
    assert.deepEqual(await s.lifecycle.suspend(A1.id, '暂扣', own), { id: A1.id, status: 'suspended', reason: '暂扣' });
    await s.lifecycle.resume(A1.id, '核查完毕', own);
  });

  test('refusals: no reason, unknown certificate, a draft; abolish is final and answers 21', async () => {
    await problem(s.lifecycle.suspend(A1.id, ' ', by), 'no-reason');
    await problem(s.lifecycle.suspend('1.2.156.3005.2.nope', '暂扣', by), 'not-found');
    await problem(s.lifecycle.suspend(A2.id, '暂扣', by), 'not-issued');
    await s.lifecycle.suspend(A1.id, '暂扣', by);
    assert.deepEqual(await s.lifecycle.abolish(A1.id, '吊销', by), { id: A1.id, status: 'abolished', reason: '吊销' });
    assert.equal(await code(s.sharing.dataById(ctx, A1.id)), ReturnCode.Abolished);
    await problem(s.lifecycle.resume(A1.id, undefined, by), 'not-suspended');
    await problem(s.lifecycle.abolish(A1.id, '吊销', by), 'not-issued');
  });
});
