import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { openDb, type Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { Keyring } from '../../src/crypto/keyring.js';
import { NodeKeys } from '../../src/core/node-keys.js';
import { ExchangeKeys } from '../../src/core/exchange-keys.js';
import { TrustedKeys } from '../../src/core/trusted-keys.js';
import { PeerKeys } from '../../src/core/peer-keys.js';
import { PeerKeyRepo } from '../../src/store/peer-keys.js';
import { generateSm2KeyPair } from '../../src/crypto/sm2.js';
import { EnvelopeError, sealEnvelope } from '../../src/crypto/envelope.js';

const keyring = new Keyring(new Map([['k1', Buffer.alloc(16, 7)]]), 'k1', Buffer.alloc(32, 8));
const pgSkip = await postgresSkip();

for (const name of BACKENDS) {
  describe(`exchange keys and learned keys (${name})`, () => {
    const skip = name === 'postgres' ? pgSkip : false;
    let b: Backend;
    let db: Db;
    before(async () => {
      if (skip) return;
      b = await makeBackend(name);
      db = await openDb({ dataDir: b.dataDir, databaseUrl: b.databaseUrl });
      await migrate(db);
    });
    after(async () => {
      if (skip) return;
      await db.close();
      await b.cleanup();
    });

    test('made once, separate from the signing key; after rotation only the new key is published, and the old still opens', { skip }, async () => {
      const nodeKeys = new NodeKeys(db, keyring);
      await nodeKeys.init();
      const ex = new ExchangeKeys(db, keyring);
      await ex.init();
      const again = new ExchangeKeys(db, keyring);
      await again.init();
      assert.equal(again.current.kid, ex.current.kid, 'a second process (or start) finds the same key');
      assert.notEqual(ex.current.publicKey, (await nodeKeys.published())[0]!.publicKeyHex);
      const raw = await db.query<{ private_enc: Uint8Array }>('select private_enc from exchange_keys');
      assert.ok(!Buffer.from(raw[0]!.private_enc).toString('latin1').match(/[0-9a-f]{64}/), 'the private key is sealed, not stored in clear');

      const old = ex.current;
      const sealedToOld = sealEnvelope({ n: 1 }, old.publicKey);
      const kid = await ex.rotate();
      assert.notEqual(kid, old.kid);
      assert.deepEqual((await ex.published()).map((k) => [k.kid, k.use]), [[kid, 'encrypt']]);
      assert.deepEqual(await ex.open(sealedToOld), { n: 1 }, 'tried with the retired key after the current one');
      assert.deepEqual(await ex.open(sealedToOld, old.kid), { n: 1 });
      assert.deepEqual(await again.open(sealEnvelope({ n: 2 }, ex.current.publicKey), kid), { n: 2 }, 'another process reads the new key when named');
      await assert.rejects(ex.open(sealEnvelope({ n: 3 }, generateSm2KeyPair().publicKey)), (e: unknown) => e instanceof EnvelopeError && e.problem === 'tampered');
    });

    test('signingKeyOf finds own and learned keys by kid, not an ambiguous one; learned keys are trusted until forgotten', { skip }, async () => {
      const nodeKeys = new NodeKeys(db, keyring);
      await nodeKeys.init();
      const repo = new PeerKeyRepo(db);
      const trusted = new TrustedKeys(nodeKeys, Date.now, async () => (await repo.list()).filter((k) => k.use === 'sign'));
      const peerKeys = new PeerKeys(repo, nodeKeys, trusted);
      const own = (await nodeKeys.published())[0]!;
      assert.equal(await peerKeys.signingKeyOf(own.kid), own.publicKeyHex);

      const js = generateSm2KeyPair();
      const zj = generateSm2KeyPair();
      await peerKeys.learn({ owner: 'peer:320000', areaCodes: ['320000'] }, [
        { kid: 'js-1', use: 'sign', publicKeyHex: js.publicKey, validFrom: '2024-01-01T00:00:00.000Z' },
        { kid: 'js-e', use: 'encrypt', publicKeyHex: generateSm2KeyPair().publicKey },
      ], 'http://js.example/.well-known/zhengzhao/keys');
      assert.equal(await peerKeys.signingKeyOf('js-1'), js.publicKey);
      assert.equal(await peerKeys.signingKeyOf('js-e'), undefined, 'an encryption key is no signing key');
      assert.equal(await peerKeys.signingKeyOf('nobody'), undefined);
      assert.equal(await trusted.trusts(js.publicKey, '2024-06-01T00:00:00Z'), true);
      assert.equal(await trusted.trusts(js.publicKey, '2023-06-01T00:00:00Z'), false, 'not for what was signed before the key existed');
      // A fresh TrustedKeys (another process on the same database) trusts it from the store.
      const elsewhere = new TrustedKeys(nodeKeys, Date.now, async () => (await repo.list()).filter((k) => k.use === 'sign'));
      assert.equal(await elsewhere.trusts(js.publicKey, '2024-06-01T00:00:00Z'), true);

      await peerKeys.learn({ owner: 'network:133', areaCodes: ['330000'] }, [{ kid: 'js-1', use: 'sign', publicKeyHex: zj.publicKey }], 'http://hub.example');
      assert.equal(await peerKeys.signingKeyOf('js-1'), undefined, 'two nodes claim kid js-1 with different keys');

      await peerKeys.forget('network:133');
      await peerKeys.forget('peer:320000');
      assert.equal(await peerKeys.signingKeyOf('js-1'), undefined);
      assert.equal(await trusted.trusts(js.publicKey, '2024-06-01T00:00:00Z'), false);
      assert.deepEqual(await peerKeys.list(), []);
    });
  });
}
