import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { openDb, type Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { NodeKeys } from '../../src/core/node-keys.js';
import { SealService } from '../../src/core/seals.js';
import { SealRepo } from '../../src/store/seals.js';
import { checkSeal, parseSeal } from '../../src/crypto/ses.js';
import { readSm2Certificate } from '../../src/crypto/x509-read.js';

const keys = new Keyring(new Map([['k1', Buffer.alloc(16, 1)]]), 'k1', Buffer.alloc(32, 2));
const pgSkip = await postgresSkip();
const ORG = '1111010500000101X6';

for (const name of BACKENDS) {
  describe(`seals of issuing organisations (${name})`, async () => {
    const skip = name === 'postgres' ? pgSkip : false;
    let b: Backend;
    let db: Db;
    let seals: SealService;
    let nodeKeys: NodeKeys;
    before(async () => {
      if (skip) return;
      b = await makeBackend(name);
      db = await openDb({ dataDir: b.dataDir, databaseUrl: b.databaseUrl });
      await migrate(db);
      nodeKeys = new NodeKeys(db, keys);
      await nodeKeys.init();
      seals = new SealService(new SealRepo(db), nodeKeys, () => import('../../src/files/seal-picture.js'));
    });
    after(async () => {
      if (skip) return;
      await db.close();
      await b.cleanup();
    });

    test('the node key makes the seal and is the one allowed to stamp with it; the newest valid seal is used', { skip }, async () => {
      assert.equal(await seals.sealFor(ORG), undefined);
      const made = await seals.add({ orgCode: ORG, orgName: ' 北京市朝阳区民政局 ' });
      assert.equal(made.orgName, '北京市朝阳区民政局');
      const layout = (await seals.sealFor(ORG))!;
      assert.equal(layout.name, '北京市朝阳区民政局');
      assert.ok(layout.picturePng.subarray(1, 4).equals(Buffer.from('PNG')));
      const parsed = parseSeal(layout.sesealDer);
      assert.ok(parsed.ok);
      assert.deepEqual(checkSeal(parsed.value), []);
      const signer = nodeKeys.fileSigner();
      assert.ok(parsed.value.makerCertificateDer.equals(signer.certificateDer));
      assert.deepEqual(parsed.value.info.signerCertificates, [signer.certificateDer]);
      assert.equal(readSm2Certificate(signer.certificateDer)!.publicKeyHex, signer.publicKeyHex);
      assert.ok(parsed.value.info.picture.data.equals(layout.picturePng));

      assert.equal(await seals.ensure({ orgCode: ORG, orgName: '北京市朝阳区民政局' }), undefined, 'ensure keeps a seal in use');
      const next = await seals.add({ orgCode: ORG, orgName: '北京市朝阳区民政局', validYears: 1 });
      const now = parseSeal((await seals.sealFor(ORG))!.sesealDer);
      assert.ok(now.ok && now.value.info.esId === next.esId);
      const later = new Date(Date.now() + 2 * 365 * 86_400_000);
      const fallback = parseSeal((await seals.sealFor(ORG, later))!.sesealDer);
      assert.ok(fallback.ok && fallback.value.info.esId === made.esId, 'after the newer one expires the older, still valid seal is used');
      assert.deepEqual((await seals.list()).map((s) => s.esId), [next.esId, made.esId]);
    });
  });
}
