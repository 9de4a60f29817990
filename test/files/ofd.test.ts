import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import * as fontkit from 'fontkit';
import { renderCertificateOfd, inspectOfd } from '../../src/files/ofd/index.js';
import { parseSesSignature } from '../../src/crypto/ses.js';
import { sm3 } from '../../src/crypto/sm3.js';
import { testSigner } from '../support/sm2-signer.js';
import { sampleInput, sampleSeal } from '../support/ofd-sample.js';
import { hasOpenssl, opensslAsn1parse } from '../support/asn1parse.js';

const signer = testSigner('issuing node');
const seal = sampleSeal(signer, '北京市朝阳区民政局');
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const annotation = {
  text: '仅供办理不动产登记使用，有效期至2030年1月1日', madeAt: '2029-12-01T10:00:00+08:00', maker: '北京市朝阳区民政局',
  reason: '办理不动产登记', expiresAt: '2030-01-01T00:00:00+08:00',
};
const ofd = await renderCertificateOfd(sampleInput(seal), signer, { now });
const files = unzipSync(ofd);
const SIG = 'Doc_0/Signs/Sign_0/Signature.xml';
const VALUE = 'Doc_0/Signs/Sign_0/SignedValue.dat';

/** The package with one part replaced, re-zipped properly: only a signature can notice. */
function repack(change: Record<string, (b: Uint8Array) => Uint8Array>, add: Record<string, Uint8Array> = {}): Buffer {
  const out: Zippable = {};
  for (const [name, bytes] of Object.entries(files)) out[name] = change[name] ? change[name]!(Buffer.from(bytes)) : bytes;
  return Buffer.from(zipSync({ ...out, ...add }));
}
const flip = (at: (b: Buffer) => number) => (b: Uint8Array) => { const c = Buffer.from(b); c[at(c)] ^= 0x01; return c; };

test('render → inspect: signed, valid, sealed, with the signer, time and metadata', () => {
  const r = inspectOfd(ofd);
  assert.deepEqual(r.problems, []);
  assert.equal(r.format, 'ofd');
  assert.equal(r.signed, true);
  assert.equal(r.signatureValid, true);
  assert.equal(r.sealValid, true);
  assert.equal(r.signerPublicKeyHex, signer.publicKeyHex);
  assert.ok(r.signerCertificateDer!.equals(signer.certificateDer));
  assert.equal(r.signedAt, now.toISOString());
  assert.deepEqual(r.metadata, sampleInput(seal).metadata);
  assert.equal(r.annotation, undefined);
});

test('the package has the GB/T 33190 parts, and the signature covers all but the signature files', () => {
  const names = Object.keys(files).sort();
  for (const p of ['OFD.xml', 'Doc_0/Document.xml', 'Doc_0/PublicRes.xml', 'Doc_0/DocumentRes.xml', 'Doc_0/Pages/Page_0/Content.xml', 'Doc_0/Signs/Signatures.xml', SIG, VALUE]) {
    assert.ok(names.includes(p), `has ${p}`);
  }
  const sig = Buffer.from(files[SIG]!).toString();
  const refs = [...sig.matchAll(/FileRef="\/([^"]+)"/g)].map((m) => m[1]).sort();
  assert.deepEqual(refs, names.filter((n) => !n.startsWith('Doc_0/Signs/')));
  for (const n of refs) assert.ok(sig.includes(`FileRef="/${n}"><ofd:CheckValue>${sm3(files[n]!).toString('base64')}<`));
  assert.match(sig, /<ofd:SignatureMethod>1\.2\.156\.10197\.1\.501<\/ofd:SignatureMethod>/);
  assert.match(sig, /<ofd:References CheckMethod="1\.2\.156\.10197\.1\.401">/);
  assert.match(sig, /<ofd:StampAnnot ID="sa1" PageRef="3" Boundary="[\d.]+ [\d.]+ 42 42"\/>/);
  const doc = Buffer.from(files['Doc_0/Document.xml']!).toString();
  assert.match(doc, /<ofd:PhysicalBox>0 0 210 297<\/ofd:PhysicalBox>/);
  assert.match(doc, /<ofd:Page ID="3" BaseLoc="Pages\/Page_0\/Content.xml"\/>/);
  const content = Buffer.from(files['Doc_0/Pages/Page_0/Content.xml']!).toString();
  for (const s of ['结婚证', '持证人', '张三', 'J320000-2011-001327']) assert.ok(content.includes(`>${s}</ofd:TextCode>`), `draws ${s}`);
  assert.equal((content.match(/<ofd:ImageObject /g) ?? []).length, 2, 'the photo and the QR code (the seal is the stamp annotation)');
});

test('the CJK font is embedded as a small OpenType subset with the glyphs drawn', () => {
  const fontName = Object.keys(files).find((n) => n.endsWith('.otf'))!;
  const bytes = Buffer.from(files[fontName]!);
  assert.equal(bytes.toString('latin1', 0, 4), 'OTTO');
  assert.ok(bytes.length < 40_000, `subset is small (${bytes.length} bytes)`);
  const font = fontkit.create(bytes) as unknown as { numGlyphs: number; hasGlyphForCodePoint(c: number): boolean };
  for (const ch of '结婚证张三') assert.ok(font.hasGlyphForCodePoint(ch.codePointAt(0)!), ch);
  assert.ok(!font.hasGlyphForCodePoint('龘'.codePointAt(0)!));
  assert.ok(font.numGlyphs < 120);
  console.log(`# OFD ${ofd.length} bytes, font subset ${bytes.length} bytes`);
});

test('an annotated copy carries its JZJ* metadata and draws its line', async () => {
  const annotated = await renderCertificateOfd(sampleInput(seal, { annotation }), signer, { now });
  const r = inspectOfd(annotated);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.annotation, { madeAt: annotation.madeAt, maker: annotation.maker, reason: annotation.reason, expiresAt: annotation.expiresAt });
  const ofdXml = Buffer.from(unzipSync(annotated)['OFD.xml']!).toString();
  for (const n of ['JZJZZSJ', 'JZJZZZ', 'JZJZZSY', 'JZJYXQJZSJ', 'ZZBS', 'ZZLXDM', 'ZZMC', 'CZZTDM', 'CZZT', 'ZZBFJG', 'ZZBFJGDM', 'ZZBFRQ']) assert.match(ofdXml, new RegExp(`<ofd:CustomData Name="${n}">`));
  const content = Buffer.from(unzipSync(annotated)['Doc_0/Pages/Page_0/Content.xml']!).toString();
  assert.ok(content.includes('仅供办理不动产登记使用，有效期至'));
});

test('one changed byte in any signed part makes the signature invalid and names the part', () => {
  for (const name of Object.keys(files).filter((n) => !n.startsWith('Doc_0/Signs/'))) {
    const r = inspectOfd(repack({ [name]: flip((b) => b.length - 3) }));
    assert.equal(r.signatureValid, false, name);
    assert.ok(r.problems.some((p) => p.includes(`/${name} was changed after signing`)), `${name}: ${r.problems.join('; ')}`);
  }
});

test('a changed Content.xml byte, a changed Signature.xml, a changed SignedValue.dat', () => {
  const content = inspectOfd(repack({ 'Doc_0/Pages/Page_0/Content.xml': (b) => Buffer.from(Buffer.from(b).toString().replace('张三', '李四')) }));
  assert.equal(content.signatureValid, false);
  assert.equal(content.sealValid, true, 'the seal itself is untouched');
  assert.deepEqual(content.problems, ['part /Doc_0/Pages/Page_0/Content.xml was changed after signing (SM3 does not match)']);

  const sigXml = inspectOfd(repack({ [SIG]: (b) => Buffer.from(Buffer.from(b).toString().replace(/(SignatureDateTime>\d{3})\d/, '$10')) }));
  assert.equal(sigXml.signatureValid, false);
  assert.ok(sigXml.problems.some((p) => p.includes(`dataHash does not match /${SIG}`)), sigXml.problems.join('; '));

  const value = inspectOfd(repack({ [VALUE]: flip((b) => b.length - 10) }));
  assert.equal(value.signatureValid, false);
  assert.ok(value.problems.some((p) => p.startsWith(`/${VALUE}:`) && /stamp's signature does not verify/.test(p)), value.problems.join('; '));
});

/** Issue 15: a file whose signature bytes were altered was reported 文件未签章 (unsigned). */
test('altered signature parts, a broken signature list or a damaged signed value: signed, and the signature does not verify', () => {
  const LIST = 'Doc_0/Signs/Signatures.xml';
  const cases: [string, Buffer][] = [
    ['list not well-formed', repack({ [LIST]: (b) => Buffer.from(Buffer.from(b).toString().replace('<ofd:Signature ', '<ofd:Signature< ')) })],
    ['list emptied of its entry', repack({ [LIST]: (b) => Buffer.from(Buffer.from(b).toString().replace(/<ofd:Signature [^>]*\/>/, '')) })],
    ['entry names no signature', repack({ [LIST]: (b) => Buffer.from(Buffer.from(b).toString().replace('Sign_0/Signature.xml', 'Sign_9/Signature.xml')) })],
    ['signed value truncated', repack({ [VALUE]: (b) => b.subarray(0, 40) })],
    ['signed value flipped at its start', repack({ [VALUE]: flip(() => 2) })],
  ];
  // Damaged in place (no repacking): the signed value's CRC no longer matches.
  const raw = Buffer.from(ofd);
  const valueAt = raw.lastIndexOf(Buffer.from(VALUE)) ;
  const local = raw.indexOf(Buffer.from(VALUE));
  assert.ok(local >= 0 && valueAt > local);
  raw[local + VALUE.length + 20] ^= 0x5a;
  cases.push(['signed value damaged in the ZIP', raw]);
  for (const [what, bytes] of cases) {
    const r = inspectOfd(bytes);
    assert.equal(r.signed, true, `${what}: ${r.problems.join('; ')}`);
    assert.equal(r.signatureValid, false, what);
    assert.ok(r.problems.length > 0, what);
  }
});

test('one changed byte in the seal breaks the seal and the stamp', () => {
  const r = inspectOfd(repack({ [VALUE]: flip((b) => b.indexOf(Buffer.from('IEND')) - 40) }));
  assert.equal(r.sealValid, false);
  assert.equal(r.signatureValid, false);
  assert.ok(r.problems.some((p) => /seal: the seal's signature does not verify/.test(p)), r.problems.join('; '));
  assert.ok(r.problems.some((p) => /stamp's signature does not verify/.test(p)));
});

test('a byte flipped inside the ZIP (no repacking) names the damaged part', () => {
  const bad = Buffer.from(ofd);
  const at = bad.indexOf(Buffer.from('IHDR')) + 30; // inside a stored PNG
  bad[at] ^= 0xff;
  const r = inspectOfd(bad);
  assert.equal(r.signatureValid, false);
  assert.ok(r.problems.some((p) => /part \/Doc_0\/Res\/image_\d+\.png is damaged: CRC-32/.test(p)), r.problems.join('; '));
});

test('a part added after signing is reported as not covered', () => {
  const r = inspectOfd(repack({}, { 'Doc_0/Res/extra.png': new Uint8Array([1, 2, 3]) }));
  assert.equal(r.signatureValid, false);
  assert.deepEqual(r.problems, ['part /Doc_0/Res/extra.png is not covered by the signature']);
});

test('a signature made outside the seal validity leaves the signature valid and the seal not', async () => {
  const old = sampleSeal(signer, '北京市朝阳区民政局', new Date(now.getTime() - 400 * 86_400_000), 30);
  const r = inspectOfd(await renderCertificateOfd(sampleInput(old), signer, { now }));
  assert.equal(r.signatureValid, true);
  assert.equal(r.sealValid, false);
  assert.match(r.problems.join(), /outside the seal's validity/);
});

test('a seal is required for an OFD layout file', async () => {
  await assert.rejects(renderCertificateOfd(sampleInput(undefined), signer), /input\.seal is required/);
});

test('SignedValue.dat decodes with openssl as a V4 SES_Signature over Signature.xml', { skip: hasOpenssl ? false : 'openssl not installed' }, () => {
  const value = Buffer.from(files[VALUE]!);
  const lines = opensslAsn1parse(value);
  const at = (depth: number, type: string) => lines.filter((l) => l.depth === depth && l.type.startsWith(type)).map((l) => l.value);
  assert.deepEqual(at(2, 'INTEGER'), ['04'], 'TBS_Sign.version');
  assert.deepEqual(at(5, 'IA5STRING').slice(0, 2), ['ES', 'zhengzhao'], 'SES_Header ID and vendor');
  assert.deepEqual(at(5, 'INTEGER').slice(0, 1), ['04'], 'SES_Header.version');
  assert.deepEqual(at(5, 'UTF8STRING'), ['北京市朝阳区民政局']);
  assert.deepEqual(at(3, 'OBJECT'), ['SM2-with-SM3'], 'SESeal.signAlgID');
  assert.deepEqual(at(1, 'OBJECT'), ['SM2-with-SM3'], 'SES_Signature.signatureAlgID');
  assert.deepEqual(at(2, 'IA5STRING'), [`/${SIG}`], 'propertyInfo names Signature.xml');
  assert.deepEqual(at(2, 'GENERALIZEDTIME'), [now.toISOString().replace(/[-:T]/g, '').replace(/\.000Z$/, 'Z')]);
  const parsed = parseSesSignature(value);
  assert.ok(parsed.ok);
  assert.ok(parsed.value.dataHash.equals(sm3(files[SIG]!)), 'dataHash = SM3(Signature.xml)');
});

test('render time (informational)', async () => {
  const t0 = performance.now();
  const n = 5;
  for (let i = 0; i < n; i++) await renderCertificateOfd(sampleInput(seal), signer);
  const t1 = performance.now();
  for (let i = 0; i < n; i++) inspectOfd(ofd);
  console.log(`# OFD render ${((t1 - t0) / n).toFixed(0)} ms, inspect ${((performance.now() - t1) / n).toFixed(0)} ms, size ${ofd.length} bytes`);
});
