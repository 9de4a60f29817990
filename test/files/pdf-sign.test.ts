import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderCertificatePdf } from '../../src/files/pdf-render.js';
import { renderSignedPdf } from '../../src/files/pdf-sign.js';
import { inspectPdf } from '../../src/files/pdf-verify.js';
import type { FileSigner } from '../../src/core/layout-input.js';
import { sm2Sign } from '../../src/crypto/sm2.js';
import { ANNOTATION, certificateLayout, makeSigner } from '../support/pdf-fixtures.js';

const signer = makeSigner();
const signingTime = new Date('2026-06-01T02:03:04.567Z');
const signed = await renderSignedPdf(certificateLayout(), signer, { signingTime, name: 'zhengzhao', reason: '电子证照签发' });

test('a signed original inspects as signed and valid, with its signer, time and metadata', () => {
  const r = inspectPdf(signed);
  assert.deepEqual(r.problems, []);
  assert.equal(r.format, 'pdf');
  assert.equal(r.signed, true);
  assert.equal(r.signatureValid, true);
  assert.equal(r.signerPublicKeyHex, signer.publicKeyHex);
  assert.deepEqual(r.signerCertificateDer, signer.certificateDer);
  assert.equal(r.signedAt, '2026-06-01T02:03:04.000Z', 'whole seconds, as PDF dates and UTCTime hold them');
  assert.deepEqual(r.metadata, certificateLayout().metadata);
  assert.equal(r.annotation, undefined);
  const text = signed.toString('latin1');
  assert.match(text, /\/Filter \/Adobe\.PPKLite/);
  assert.match(text, /\/SubFilter \/adbe\.pkcs7\.detached/);
  assert.match(text, /\/M \(D:20260601020304Z\)/);
  assert.match(text, /\/FT \/Sig/);
  assert.match(text, /\/SigFlags 3/);
});

test('an annotated copy carries the annotation metadata, signed', async () => {
  const pdf = await renderSignedPdf({ ...certificateLayout(), annotation: ANNOTATION }, signer);
  const r = inspectPdf(pdf);
  assert.equal(r.signatureValid, true, r.problems.join('; '));
  const { text: _visible, ...metadata } = ANNOTATION;
  assert.deepEqual(r.annotation, metadata);
  assert.equal(r.metadata?.certificateId, certificateLayout().metadata.certificateId);
});

test('one changed byte anywhere makes the signature invalid or the file unsigned, with a reason', () => {
  const text = signed.toString('latin1');
  const sigAt = text.lastIndexOf('/Type /Sig');
  const contentsAt = text.indexOf('/Contents <', sigAt);
  const contentsEnd = text.indexOf('>', contentsAt);
  // Every 97th byte of the file, and densely around what the digest does not cover: the signature
  // dictionary, the start and end of the CMS (signature value, signed attributes), its zero padding.
  // (Every byte with each of the 8 single-bit flips was checked once by hand: all caught.)
  const positions = new Set<number>();
  for (let i = 0; i < signed.length; i += 97) positions.add(i);
  for (let i = sigAt - 40; i < contentsAt + 300; i++) positions.add(i);
  for (let i = contentsEnd - 60; i < contentsEnd + 60; i++) positions.add(i);
  const cmsEnd = contentsAt + 11 + 2 * (4 + Buffer.from(text.slice(contentsAt + 11, contentsAt + 19), 'hex').readUInt16BE(2));
  for (let i = cmsEnd - 160; i < cmsEnd + 10; i++) positions.add(i);
  for (const i of positions) {
    if (i < 0 || i >= signed.length) continue;
    for (const mask of [0x01, 0x80]) {
      const copy = Buffer.from(signed);
      copy[i] = copy[i]! ^ mask;
      const r = inspectPdf(copy);
      assert.equal(r.signatureValid, false, `byte ${i} ^ ${mask} went unnoticed`);
      assert.ok(r.problems.length > 0, `byte ${i} ^ ${mask}: no problem reported`);
    }
  }
});

test('altered signature bytes leave the file signed, with a signature that does not verify', () => {
  const text = signed.toString('latin1');
  const contentsAt = text.indexOf('/Contents <', text.lastIndexOf('/Type /Sig')) + '/Contents <'.length;
  const cmsLength = 4 + Buffer.from(text.slice(contentsAt, contentsAt + 8), 'hex').readUInt16BE(2);
  // Every hex digit of the CMS (signer certificate, signed attributes, signature value), set to another digit.
  let checked = 0;
  for (let i = contentsAt; i < contentsAt + 2 * cmsLength; i++) {
    const copy = Buffer.from(signed);
    copy[i] = copy[i] === 0x30 ? 0x31 : 0x30;
    const r = inspectPdf(copy);
    assert.equal(r.signed, true, `hex digit ${i - contentsAt} of the CMS: reported unsigned (${r.problems.join('; ')})`);
    assert.equal(r.signatureValid, false, `hex digit ${i - contentsAt} went unnoticed`);
    checked++;
  }
  assert.ok(checked > 1000);
});

test('a changed content byte keeps the file signed and names the digest', () => {
  const copy = Buffer.from(signed);
  const at = copy.indexOf('/Title');
  copy[at + 1] = 'X'.charCodeAt(0);
  const r = inspectPdf(copy);
  assert.equal(r.signed, true);
  assert.equal(r.signatureValid, false);
  assert.match(r.problems.join(), /SM3 differs/);
  assert.equal(r.signerPublicKeyHex, signer.publicKeyHex, 'the signer is still reported');
});

test('bytes appended after the signed revision are detected; metadata comes from the signed revision', () => {
  const appended = Buffer.concat([signed, Buffer.from('\n%%EOF\n')]);
  let r = inspectPdf(appended);
  assert.equal(r.signed, true);
  assert.equal(r.signatureValid, false);
  assert.match(r.problems.join(), /7 bytes follow the signed revision/);

  // An incremental update that replaces the information dictionary: its claims are ignored.
  const size = Number(/\/Size (\d+)/.exec(signed.toString('latin1'))![1]);
  const update = `\n${size} 0 obj\n<< /ZZBS (forged) /CZZT (forged) >>\nendobj\ntrailer\n<< /Size ${size + 1} /Info ${size} 0 R >>\n%%EOF\n`;
  r = inspectPdf(Buffer.concat([signed, Buffer.from(update)]));
  assert.equal(r.signatureValid, false);
  assert.equal(r.metadata?.certificateId, certificateLayout().metadata.certificateId);
  assert.equal(r.metadata?.holderName, '张三');
});

test('a file signed by another key reports that key; trust is decided by the caller', async () => {
  const other = makeSigner('some other node');
  const r = inspectPdf(await renderSignedPdf(certificateLayout(), other));
  assert.equal(r.signatureValid, true);
  assert.equal(r.signerPublicKeyHex, other.publicKeyHex);
  assert.notEqual(r.signerPublicKeyHex, signer.publicKeyHex);
});

test('a certificate for another key than the one that signed makes the signature invalid', async () => {
  const other = makeSigner('certificate of another key');
  const mismatched: FileSigner = { sign: (d) => sm2Sign(d, signer.privateKeyHex), certificateDer: other.certificateDer, publicKeyHex: signer.publicKeyHex };
  const r = inspectPdf(await renderSignedPdf(certificateLayout(), mismatched));
  assert.equal(r.signed, true);
  assert.equal(r.signatureValid, false);
  assert.equal(r.signerPublicKeyHex, other.publicKeyHex, 'the key of the embedded certificate');
  assert.match(r.problems.join(), /SM2 signature does not verify/);
});

test('files that are not signed PDFs yield problems, never an exception', async () => {
  const text = inspectPdf(Buffer.from('这不是PDF文件，只是一段文字。\n', 'utf8'));
  assert.deepEqual({ signed: text.signed, signatureValid: text.signatureValid }, { signed: false, signatureValid: false });
  assert.match(text.problems.join(), /not a PDF/);

  const unsigned = inspectPdf(await renderCertificatePdf(certificateLayout()));
  assert.equal(unsigned.signed, false);
  assert.match(unsigned.problems.join(), /no signature/);
  assert.equal(unsigned.metadata?.holderName, '张三', 'metadata is still read');

  for (const bytes of [Buffer.alloc(0), Buffer.from('%PDF-1.7\n/ByteRange [0 1 2'), signed.subarray(0, signed.length / 2), signed.subarray(0, signed.indexOf('/Contents') + 100)]) {
    const r = inspectPdf(bytes);
    assert.equal(r.signatureValid, false);
    assert.ok(r.problems.length > 0);
  }
});
