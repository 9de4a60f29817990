import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { seedDemo } from '../../src/node/demo.js';
import { CertificateFiles } from '../../src/core/certificate-files.js';
import { loadRenderers } from '../../src/files/renderers.js';
import { generateSm2KeyPair, sm2Sign } from '../../src/crypto/sm2.js';
import { selfSignedCertificate } from '../../src/crypto/x509.js';
import { buildSeal } from '../../src/crypto/ses.js';
import { sm3 } from '../../src/crypto/sm3.js';
import type { FileFormat } from '../../src/core/file-tickets.js';
import type { Certificate } from '../../src/domain/model.js';
import { cstDate } from '../../src/domain/dates.js';

const pgSkip = await postgresSkip();
const ctx = { dialect: 'test', interface: 'verify-file' };

/**
 * The one file check behind every dialect's verification by file, on real signed files of real
 * certificates: the genuine original and copy, one changed byte, a foreign signer, certificates that
 * are abolished, suspended or expired, a copy past its expiry, and bytes that are no layout file.
 */
for (const name of BACKENDS) {
  describe(`verification by file (${name})`, { skip: name === 'postgres' ? pgSkip : false }, () => {
    let b: Backend;
    let s: Services;
    const byStatus = new Map<string, Certificate>();

    before(async () => {
      b = await makeBackend(name);
      s = await openServices(loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }), { warn: () => {} });
      await seedDemo(s, 'http://127.0.0.1:1', () => {});
      const today = cstDate(new Date());
      const rows = await s.db.query<{ id: string; status: string; valid_to: string | null }>(
        "select id, status, valid_to::text from certificates where status in ('issued','suspended','abolished') order by id");
      for (const r of rows) {
        const kind = r.status === 'issued' ? (r.valid_to && r.valid_to < today ? 'expired' : 'usable') : r.status;
        if (!byStatus.has(kind)) byStatus.set(kind, (await s.certs.get(r.id))!);
      }
      assert.deepEqual([...byStatus.keys()].sort(), ['abolished', 'expired', 'suspended', 'usable']);
    });
    after(async () => {
      await s?.close();
      await b?.cleanup();
    });

    for (const format of ['pdf', 'ofd'] as FileFormat[]) {
      test(`${format}: a genuine original and a genuine copy pass and name their certificate`, async () => {
        const c = byStatus.get('usable')!;
        const original = await s.files.original(c, format);
        const v = await s.fileVerification.verify(ctx, original);
        assert.equal(v.outcome, 'genuine', v.problems.join('; '));
        assert.equal(v.format, format);
        assert.equal(v.certificate?.id, c.id);
        const copy = await s.files.copy(c, format, { reason: '办理户籍迁移', maker: '测试窗口', expiresAt: Date.now() + 86_400_000 });
        const vc = await s.fileVerification.verify(ctx, copy);
        assert.equal(vc.outcome, 'genuine', vc.problems.join('; '));
        assert.equal(vc.copy?.reason, '办理户籍迁移');
        assert.equal(vc.copy?.maker, '测试窗口');
        assert.ok(vc.copy?.expiresAt && Date.parse(vc.copy.expiresAt) > Date.now());
      });

      test(`${format}: one changed byte is found`, async () => {
        const bytes = Buffer.from(await s.files.original(byStatus.get('usable')!, format));
        const flips = format === 'pdf' ? [Math.floor(bytes.length / 2), 200] : [Math.floor(bytes.length / 3)];
        for (const at of flips) {
          const bad = Buffer.from(bytes);
          bad[at] = bad[at]! ^ 0x01;
          const v = await s.fileVerification.verify(ctx, bad);
          assert.ok(['altered', 'unsigned'].includes(v.outcome), `byte ${at}: ${v.outcome}`);
        }
      });

      test(`${format}: altered signature bytes are reported as a signature that does not verify, not as unsigned`, async () => {
        const bytes = Buffer.from(await s.files.original(byStatus.get('usable')!, format));
        // The signature's own bytes: the PDF's /Contents hex string, the OFD's SignedValue.dat (stored in the ZIP).
        const at = format === 'pdf'
          ? bytes.indexOf(Buffer.from('/Contents <')) + 11 + 200
          : bytes.indexOf(Buffer.from('SignedValue.dat')) + 'SignedValue.dat'.length + 60;
        assert.ok(at > 300);
        const bad = Buffer.from(bytes);
        bad[at] = format === 'pdf' ? (bad[at] === 0x30 ? 0x31 : 0x30) : bad[at]! ^ 0x5a;
        const v = await s.fileVerification.verify(ctx, bad);
        assert.equal(v.outcome, 'altered', v.problems.join('; '));
      });

      test(`${format}: a valid signature by a key this node does not trust is refused`, async () => {
        const pair = generateSm2KeyPair();
        const now = new Date();
        const cert = selfSignedCertificate({
          commonName: 'someone else', organization: 'elsewhere', publicKeyHex: pair.publicKey, privateKeyHex: pair.privateKey,
          notBefore: now, notAfter: new Date(now.getTime() + 86_400_000), keyId: sm3(Buffer.from(pair.publicKey, 'hex')).subarray(0, 20),
        });
        const signer = { sign: (d: Uint8Array) => sm2Sign(d, pair.privateKey), certificateDer: cert.der, publicKeyHex: pair.publicKey };
        // Someone else's node, with a seal of its own making: everything about the file is sound but the key.
        const sealFor = async (code: string) => {
          const own = (await s.seals.sealFor(code))!;
          const sesealDer = buildSeal({
            vendorId: 'elsewhere', esId: `${code}9999`, type: 1, name: own.name, signerCertificates: [cert.der],
            createDate: now, validStart: now, validEnd: new Date(now.getTime() + 86_400_000),
            picture: { type: 'png', data: own.picturePng, widthMm: 42, heightMm: 42 },
          }, signer);
          return { ...own, sesealDer };
        };
        const foreign = new CertificateFiles({
          dir: `${b.dataDir}/foreign`, renderers: loadRenderers, seals: { sealFor },
          signer: () => signer,
          verifyUrl: (id) => `http://elsewhere/verify/${id}`,
        });
        const v = await s.fileVerification.verify(ctx, await foreign.original(byStatus.get('usable')!, format));
        assert.equal(v.outcome, 'untrusted-signer');
      });

      for (const [kind, outcome] of [['abolished', 'abolished'], ['suspended', 'suspended'], ['expired', 'expired']] as const) {
        test(`${format}: the file of a ${kind} certificate is genuine but no longer stands`, async () => {
          const v = await s.fileVerification.verify(ctx, await s.files.original(byStatus.get(kind)!, format));
          assert.equal(v.outcome, outcome);
          assert.equal(v.certificate?.id, byStatus.get(kind)!.id);
        });
      }

      test(`${format}: an annotated copy past its expiry is refused`, async () => {
        const past = Date.now() - 10 * 86_400_000;
        const then = new CertificateFiles({
          dir: `${b.dataDir}/then`, renderers: loadRenderers, seals: { sealFor: (code) => s.seals.sealFor(code) },
          signer: () => s.fileSigner(), verifyUrl: (id) => id, now: () => past,
        });
        const copy = await then.copy(byStatus.get('usable')!, format, { reason: '过期测试', maker: 'test', expiresAt: past + 86_400_000 });
        assert.equal((await s.fileVerification.verify(ctx, copy)).outcome, 'copy-expired');
      });
    }

    test('bytes that are neither PDF nor OFD, and a declared format that is not the real one', async () => {
      assert.equal((await s.fileVerification.verify(ctx, Buffer.from('just some text'))).outcome, 'not-a-layout-file');
      assert.equal((await s.fileVerification.verify(ctx, Buffer.alloc(0))).outcome, 'not-a-layout-file');
      const pdf = await s.files.original(byStatus.get('usable')!, 'pdf');
      assert.equal((await s.fileVerification.verify(ctx, pdf, 'ofd')).outcome, 'format-mismatch');
      assert.equal((await s.fileVerification.verify(ctx, Buffer.from('%PDF-1.7\nnothing else'))).outcome, 'unsigned');
    });

    test('every check is recorded as a use', async () => {
      const rows = await s.db.query<{ n: number }>("select count(*)::int as n from usage_records where dialect = 'test' and result_code like 'file:%'");
      assert.ok(rows[0]!.n >= 10, `${rows[0]!.n} records`);
    });
  });
}
