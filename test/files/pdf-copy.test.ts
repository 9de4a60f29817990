import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSignedPdf } from '../../src/files/pdf-sign.js';
import { annotatePdf } from '../../src/files/pdf-copy.js';
import { inspectPdf } from '../../src/files/pdf-verify.js';
import { ANNOTATION, certificateLayout, makeSigner } from '../support/pdf-fixtures.js';

const signer = makeSigner();
const original = await renderSignedPdf(certificateLayout(), signer, { reason: '电子证照签发' });
const signingTime = new Date('2026-06-02T03:04:05Z');
const copy = annotatePdf(original, ANNOTATION, signer, { reason: '电子证照加注件', signingTime });
const { text: _visible, ...annotationMetadata } = ANNOTATION;

test('an annotated PDF copy is the original byte for byte, then an incremental update', () => {
  assert.ok(copy.length > original.length);
  assert.ok(copy.subarray(0, original.length).equals(original), 'the original bytes come first, unchanged');
  const update = copy.subarray(original.length).toString('latin1');
  assert.match(update, /\/Prev \d+/, 'the update\'s trailer points back to the original\'s cross-reference section');
  assert.equal((update.match(/\/ByteRange/g) ?? []).length, 1, 'one new signature');
  assert.ok(!update.includes('/FontFile'), 'no font is embedded per copy');
});

test('the copy\'s signature covers the whole file and verifies with the project\'s verifier', () => {
  const text = copy.toString('latin1');
  const range = /\/ByteRange \[0 (\d+) (\d+) (\d+)\s*\]/.exec(text.slice(text.lastIndexOf('/ByteRange')))!;
  const [aLen, b, bLen] = range.slice(1).map(Number) as [number, number, number];
  assert.equal(b + bLen, copy.length, 'the signed ranges reach the end of the file');
  assert.ok(aLen > original.length, 'the original, its signature included, lies inside the first range');
  const r = inspectPdf(copy);
  assert.deepEqual(r.problems, []);
  assert.equal(r.signatureValid, true);
  assert.equal(r.signerPublicKeyHex, signer.publicKeyHex);
  assert.equal(r.signedAt, signingTime.toISOString());
  assert.deepEqual(r.annotation, annotationMetadata);
  assert.deepEqual(r.metadata, certificateLayout().metadata);
});

test('a byte changed in the original part or in the update makes the copy altered', () => {
  for (const at of [100, Math.floor(original.length / 2), original.length + 40, copy.length - 30]) {
    const changed = Buffer.from(copy);
    changed[at] = changed[at]! ^ 0x01;
    assert.equal(inspectPdf(changed).signatureValid, false, `byte ${at}`);
  }
});

test('hostile statements (CJK extension B, emoji, right-to-left, control characters) make valid copies quickly', () => {
  const hostile = [
    '𠀀𠀁𠀂'.repeat(67).slice(0, 200),
    '😀👍🏽🇨🇳'.repeat(30),
    'שלום עולם مرحبا بالعالم',
    'a\u0000b\u0007c\u001b[31m\u202e\u200f\n\r\td',
  ];
  for (const reason of hostile) {
    const t = performance.now();
    const file = annotatePdf(original, { ...ANNOTATION, reason, text: `仅供${reason}使用，有效期至2026年12月31日` }, signer);
    assert.ok(performance.now() - t < 2000, 'bounded time');
    const r = inspectPdf(file);
    assert.equal(r.signatureValid, true, r.problems.join('; '));
    assert.equal(r.annotation?.reason, reason);
  }
});

const hasPoppler = spawnSync('sh', ['-c', 'command -v pdftotext && command -v pdfinfo']).status === 0;
test('Poppler extracts the statement as text and reads the copy\'s metadata', { skip: !hasPoppler && !process.env.CI ? 'poppler-utils not installed' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'zz-pdf-copy-'));
  writeFileSync(join(dir, 'copy.pdf'), copy);
  const text = spawnSync('pdftotext', [join(dir, 'copy.pdf'), '-'], { encoding: 'utf8' }).stdout;
  assert.ok(text.includes(ANNOTATION.text), text);
  assert.ok(text.includes('张三'), 'the original page is still there');
  assert.match(spawnSync('pdfinfo', ['-custom', join(dir, 'copy.pdf')], { encoding: 'utf8' }).stdout, /JZJZZSY:\s+办理住房公积金提取/);
});
