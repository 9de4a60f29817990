import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unzipSync, zipSync } from 'fflate';
import { renderCertificateOfd, inspectOfd, annotateOfd } from '../../src/files/ofd/index.js';
import { testSigner } from '../support/sm2-signer.js';
import { sampleInput, sampleSeal } from '../support/ofd-sample.js';
import { listZip } from '../../src/files/ofd/zip-read.js';

const signer = testSigner('issuing node');
const seal = sampleSeal(signer, '北京市朝阳区民政局');
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const annotation = {
  text: '仅供办理不动产登记使用，有效期至2030年1月1日', madeAt: '2029-12-01T10:00:00+08:00', maker: '北京市朝阳区民政局',
  reason: '办理不动产登记', expiresAt: '2030-01-01T00:00:00+08:00',
};
const original = await renderCertificateOfd(sampleInput(seal), signer, { now });
const copy = annotateOfd(original, annotation, signer, { now });
const before = unzipSync(original);
const after = unzipSync(copy);
const PAGE = 'Doc_0/Pages/Page_0/Content.xml';
const utf8 = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('utf8');

test('an annotated OFD copy keeps the original page and adds a layer over it', () => {
  const page = utf8(after[PAGE]);
  const originalPage = utf8(before[PAGE]);
  const at = originalPage.lastIndexOf('</ofd:Content>');
  assert.ok(page.startsWith(originalPage.slice(0, at)), 'the original layers come first, unchanged');
  assert.match(page.slice(at), /^<ofd:Layer ID="\d+" Type="Foreground">/);
  for (const name of Object.keys(before)) {
    if (name.startsWith('Doc_0/Signs/') || name === PAGE || name === 'OFD.xml' || name === 'Doc_0/Document.xml') continue;
    assert.ok(Buffer.from(after[name]!).equals(Buffer.from(before[name]!)), `${name} is the original's`);
  }
  assert.ok(!Object.keys(after).some((n) => n.endsWith('.otf') && !before[n]), 'no font is added per copy');
});

test('the OFD copy carries the watermark: translucent red glyph outlines, turned across the page', () => {
  const layer = utf8(after[PAGE]).slice(utf8(before[PAGE]).lastIndexOf('</ofd:Content>'));
  const watermark = [...layer.matchAll(/<ofd:PathObject [^>]*Alpha="46"[^>]*CTM="([^"]+)"[^>]*>/g)];
  const glyphs = [...'仅供办理不动产登记使用，有效期至年月日'].length;
  assert.ok(watermark.length >= glyphs, `${watermark.length} translucent glyphs`);
  const [a, b] = watermark[0]![1]!.split(' ').map(Number) as [number, number];
  assert.ok(a > 0 && b < 0, 'turned anticlockwise (rising to the right)');
  assert.match(layer, /<ofd:FillColor Value="212 0 0"\/>/);
  const top = [...layer.matchAll(/<ofd:PathObject (?![^>]*Alpha=)[^>]*CTM="[\d.-]+ 0 0 -[\d.]+ [\d.]+ ([\d.]+)"/g)];
  assert.ok(top.length >= glyphs, 'the statement line, upright and opaque');
  assert.ok(top.every((m) => Number(m[1]) < 17), 'in the top margin');
});

test('the OFD copy verifies: one seal signature over every part, with the copy\'s metadata', () => {
  const r = inspectOfd(copy);
  assert.deepEqual(r.problems, []);
  assert.equal(r.signatureValid, true);
  assert.equal(r.sealValid, true);
  assert.equal(r.signerPublicKeyHex, signer.publicKeyHex);
  const { text: _t, ...metadata } = annotation;
  assert.deepEqual(r.annotation, metadata);
  assert.equal(r.metadata?.certificateId, sampleInput(seal).metadata.certificateId);
  assert.match(utf8(after['Doc_0/Signs/Sign_0/Signature.xml']), /FileRef="\/Doc_0\/Pages\/Page_0\/Content.xml"/);
});

test('hostile statements make valid OFD copies quickly', () => {
  for (const reason of ['𠀀𠀁𠀂'.repeat(67).slice(0, 200), '😀👍🏽🇨🇳'.repeat(30), 'שלום مرحبا <&"\'>', 'a\u0000b\u0007\u202e\n\td']) {
    const t = performance.now();
    const file = annotateOfd(original, { ...annotation, reason, text: `仅供${reason}使用，有效期至2030年1月1日` }, signer);
    assert.ok(performance.now() - t < 2000, 'bounded time');
    const r = inspectOfd(file);
    assert.equal(r.signatureValid, true, r.problems.join('; '));
  }
});

test('the copy stores the parts it does not change exactly as the original does: nothing is recompressed', () => {
  const raw = (zip: Buffer) => {
    const listed = listZip(zip);
    assert.ok(listed.ok);
    return new Map(listed.entries.map((e) => [e.name, e]));
  };
  const [a, b] = [raw(original), raw(copy)];
  const unchanged = [...a.keys()].filter((n) => !n.startsWith('Doc_0/Signs/') && n !== PAGE && n !== 'OFD.xml' && n !== 'Doc_0/Document.xml');
  assert.ok(unchanged.includes('Doc_0/Res/font_1.otf'));
  for (const name of unchanged) {
    assert.ok(b.get(name)!.data.equals(a.get(name)!.data), `${name}: the same compressed bytes`);
    assert.equal(b.get(name)!.crc, a.get(name)!.crc);
  }
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), 'no part added or lost');
});

test('an original whose font was altered on disk makes a copy that verification refuses', () => {
  const parts = unzipSync(original);
  const font = Buffer.from(parts['Doc_0/Res/font_1.otf']!);
  font[font.length - 1] ^= 0xff;
  const altered = Buffer.from(zipSync({ ...parts, 'Doc_0/Res/font_1.otf': font }));
  assert.equal(inspectOfd(altered).signatureValid, false, 'the altered original itself fails');
  const r = inspectOfd(annotateOfd(altered, annotation, signer, { now }));
  assert.equal(r.signatureValid, false);
  assert.ok(r.problems.some((p) => p.includes('/Doc_0/Res/font_1.otf was changed after signing')), r.problems.join('; '));
});
