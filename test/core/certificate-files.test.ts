import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Certificate } from '../../src/domain/model.js';
import { CertificateFiles, type CertificateFilesOptions, type Renderers } from '../../src/core/certificate-files.js';
import { readdirSync } from 'node:fs';
import { FilePool, FilesBusyError } from '../../src/core/file-pool.js';
import { fileWorkerEntry } from '../../src/files/file-worker-entry.js';
import { loadRenderers } from '../../src/files/renderers.js';
import { inspectPdf } from '../../src/files/pdf-verify.js';
import { certificateLayout, makeSigner } from '../support/pdf-fixtures.js';

const CERT: Certificate = {
  id: '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U', typeCode: '111000000000131433001', typeName: '结婚证',
  name: '结婚证', number: 'J110105-2026-0000001', holder: { name: '王小明', code: '11010519491231002X', codeType: '111' },
  issuer: { name: '北京市朝阳区民政局', code: '11430000006122244L' }, issueDate: '2026-05-20', status: 'issued', version: 1,
  surface: [{ columnName: 'CZR', name: '持证人', valueType: 'string', value: '王小明' }],
  detail: [],
};
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const signer = makeSigner();

/** Certificate files whose PDF renderer is the real one, slowed down and counted. */
async function countingFiles(delayMs: number, options: Partial<CertificateFilesOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'zz-files-'));
  dirs.push(dir);
  const real = await loadRenderers();
  const renders: string[] = [];
  const renderers: Renderers = {
    ...real,
    pdf: async (input, s) => { renders.push('pdf'); await new Promise((r) => setTimeout(r, delayMs)); return real.pdf(input, s); },
    ofd: async () => { renders.push('ofd'); throw new Error('no OFD in this test'); },
  };
  const files = new CertificateFiles({ dir, renderers: async () => renderers, seals: { sealFor: async () => undefined }, signer: () => signer, verifyUrl: (id) => `http://x/verify/${id}`, ...options });
  return { files, renders, dir };
}

test('downloads racing a sign wait for its one job: the original is rendered once, then read from disk', async () => {
  const { files, renders } = await countingFiles(150);
  files.schedule(CERT); // what sign does once its transaction is committed
  const terms = { reason: '办理业务', maker: 'test', expiresAt: Date.now() + 86_400_000 };
  const [a, b, copy] = await Promise.all([files.original(CERT, 'pdf'), files.original(CERT, 'pdf'), files.copy(CERT, 'pdf', terms)]);
  assert.deepEqual(renders.filter((r) => r === 'pdf'), ['pdf'], 'one PDF render');
  assert.ok(a.equals(b));
  assert.ok(copy.subarray(0, a.length).equals(a), 'the copy starts with that original');
  const again = await files.original(CERT, 'pdf');
  assert.ok(again.equals(a));
  assert.equal(renders.filter((r) => r === 'pdf').length, 1, 'a later download reads the stored file');
  assert.equal(files.rendered, 1);
});

test('a download waits for a running job only so long, then answers busy', async () => {
  const { files: impatient } = await countingFiles(400, { waitMs: 50 });
  impatient.schedule(CERT);
  await assert.rejects(impatient.original(CERT, 'pdf'), FilesBusyError);
  // The job itself goes on: the download after it reads the file it made.
  await impatient.settled();
  assert.equal(impatient.rendered, 1);
  assert.ok((await impatient.original(CERT, 'pdf')).length > 1000);
  assert.equal(impatient.rendered, 1);
});

test('the pool renders on worker threads, and a full queue refuses instead of waiting', async () => {
  const pool = new FilePool(fileWorkerEntry, 1, 1);
  try {
    const { privateKeyHex, certificateDer, publicKeyHex } = signer;
    const job = { format: 'pdf' as const, input: certificateLayout(), key: { privateKey: privateKeyHex, certificateDer, publicKeyHex } };
    const first = pool.run(job);
    const second = pool.run(job); // waits in the queue of one
    await assert.rejects(pool.run(job), FilesBusyError);
    const [pdf] = await Promise.all([first, second]);
    const r = inspectPdf(pdf);
    assert.equal(r.signatureValid, true, r.problems.join('; '));
    assert.equal(r.signerPublicKeyHex, publicKeyHex);
    assert.equal(pool.rendered, 2);
  } finally {
    await pool.close();
  }
});

test('an import\'s originals go through a small pool at its pace: none refused as busy, none made twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zz-files-'));
  dirs.push(dir);
  const pool = new FilePool(fileWorkerEntry, 1, 1);
  const problems: string[] = [];
  const { privateKeyHex, certificateDer, publicKeyHex } = signer;
  const files = new CertificateFiles({
    dir, renderers: loadRenderers, seals: { sealFor: async () => undefined }, signer: () => signer, verifyUrl: (id) => `http://x/verify/${id}`,
    pool, fileKey: () => ({ privateKey: privateKeyHex, certificateDer, publicKeyHex }), log: (m, err) => { if (err) problems.push(`${m}: ${String(err)}`); },
  });
  try {
    const certs = [1, 2, 3, 4].map((n) => ({ ...CERT, id: CERT.id.replace(/\.001\.U$/, `.00${n}.U`) }));
    await files.makeOriginals(certs); // four certificates' jobs offered to a pool that queues one
    await files.settled();
    assert.deepEqual(problems, [], 'no job was refused');
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.pdf')).length, 4, 'each PDF original is on disk');
    assert.equal(pool.rendered, 4);
    const pdf = await files.original(certs[2]!, 'pdf');
    assert.equal(inspectPdf(pdf).signatureValid, true);
    assert.equal(pool.rendered, 4, 'a download reads the stored original');
  } finally {
    await pool.close();
  }
});
