import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { ConsentError, HOLDER_APPROVED } from '../../src/core/trusted-access/consents.js';
import { makeCitizenId, makeCreditCode } from '../../src/domain/holder-code.js';

const pgSkip = await postgresSkip();
const HOLDER = makeCitizenId('110105', '19800101', 11);
const OTHER = makeCitizenId('110105', '19800202', 12);
/** A service item with no certificate types: what it may use does not matter to the consent itself. */
const ServiceStoreItem = { code: 'RX001', name: '入学登记', orgName: '北京市朝阳区教委', orgCode: makeCreditCode('1', '1', '110105', '00000401X'), typeCodes: [] as string[] };

describe('holder consents (seed 004 section 4: the holder authorises a use)', () => {
  const skip = pgSkip;
  let b: Backend;
  let s: Services;
  let qrCode: string;
  let app: string;
  const ask = (over: Record<string, string | undefined> = {}) => s.consents.ask(app, {
    transactionId: 'TX1', authType: '3', serviceCode: qrCode, itemCode: ServiceStoreItem.code, itemName: ServiceStoreItem.name, itemOrg: ServiceStoreItem.orgName,
    purpose: '办理入学手续', permission: 'info,retrieve@*', validSeconds: '600', ...over,
  });

  before(async () => {
    if (skip) return;
    b = await makeBackend('postgres');
    s = await openServices({ ...loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }, {}), areaCode: '110000' }, { warn: () => {} });
    await s.items.add(ServiceStoreItem);
    app = (await s.trustedApps.add('入学报名系统')).appId;
    qrCode = s.trustedAccess.issueServiceCode({ holderCode: HOLDER, holderType: '111', holderName: '张三' }).serviceCode;
  });
  after(async () => {
    if (skip) return;
    await s.close();
    await b.cleanup();
  });

  test('an app asks, the holder approves: the token carries the holder, the app, the permission and authType 4', { skip }, async () => {
    const r = await ask();
    assert.equal(r.status, 'pending');
    assert.equal((await s.consents.status(app, r.id)).trustedToken, undefined);
    // Another holder cannot see or decide it.
    assert.equal((await s.consents.forHolder(OTHER)).length, 0);
    await assert.rejects(s.consents.approve(OTHER, r.id), (e) => e instanceof ConsentError && e.problem === 'not-found');
    const mine = await s.consents.forHolder(HOLDER);
    assert.deepEqual(mine.map((x) => [x.id, x.itemName, x.purpose, x.itemTypeCodes]), [[r.id, ServiceStoreItem.name, '办理入学手续', ServiceStoreItem.typeCodes]]);
    const approved = await s.consents.approve(HOLDER, r.id);
    assert.equal(approved.status, 'approved');
    const st = await s.consents.status(app, r.id);
    assert.match(st.trustedToken!, /^YRDT1\./);
    const grant = await s.trustedAccess.verifyToken(st.trustedToken!);
    assert.deepEqual([grant.holderCode, grant.appId, grant.permissionText, grant.authType, grant.expiresAt - grant.issuedAt], [HOLDER, app, 'info,retrieve@*', HOLDER_APPROVED, 600]);
    // Another app does not get it; decided once is decided.
    await assert.rejects(s.consents.status('APP2', r.id), /no request of this app/);
    await assert.rejects(s.consents.refuse(HOLDER, r.id), (e) => e instanceof ConsentError && e.problem === 'not-pending');
    // Revoked by the holder, the token is refused and no longer handed out.
    assert.equal((await s.consents.revoke(HOLDER, r.id)).status, 'revoked');
    await assert.rejects(s.trustedAccess.verifyToken(st.trustedToken!), /revoked/);
    assert.equal((await s.consents.status(app, r.id)).trustedToken, undefined);
  });

  test('a refused request gives no token; bad requests are refused naming the field', { skip }, async () => {
    const r = await ask({ transactionId: 'TX2' });
    assert.equal((await s.consents.refuse(HOLDER, r.id)).status, 'refused');
    assert.equal((await s.consents.status(app, r.id)).trustedToken, undefined);
    await assert.rejects(s.consents.revoke(HOLDER, r.id), (e) => e instanceof ConsentError && e.problem === 'not-approved');
    const fields = async (over: Record<string, string | undefined>) => {
      try {
        await ask(over);
      } catch (err) {
        return (err as { fields?: string[] }).fields ?? [(err as Error).message];
      }
      return [];
    };
    assert.deepEqual(await fields({ purpose: undefined, itemOrg: ' ' }), ['itemOrg', 'purpose']);
    assert.deepEqual(await fields({ itemName: '别的事项' }), ['itemName']);
    assert.deepEqual(await fields({ itemCode: 'NOPE' }), ['itemCode']);
    assert.deepEqual(await fields({ permission: 'read@*' }), ['permission']);
    assert.deepEqual(await fields({ validSeconds: '59' }), ['validSeconds']);
    assert.deepEqual(await fields({ authType: '1' }), ['authType']);
    assert.deepEqual(await fields({ serviceCode: 'YRDSC1.110000.forged.x' }), ['serviceCode']);
  });
});
