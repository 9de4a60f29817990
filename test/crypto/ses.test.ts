import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSeal, buildSesSignature, checkSeal, checkSesSignature, parseSeal, parseSesSignature, type SealInfo } from '../../src/crypto/ses.js';
import { sm3 } from '../../src/crypto/sm3.js';
import { testSigner } from '../support/sm2-signer.js';
import { hasOpenssl, opensslAsn1parse } from '../support/asn1parse.js';

const maker = testSigner('seal maker');
const stamper = testSigner('stamping node');
const DAY = 86_400_000;
const now = new Date(Math.floor(Date.now() / 1000) * 1000);

const info = (over: Partial<SealInfo> = {}): SealInfo => ({
  vendorId: 'zhengzhao', esId: '11110105000000101X0001', type: 1, name: '北京市朝阳区民政局',
  signerCertificates: [stamper.certificateDer], createDate: now, validStart: new Date(now.getTime() - DAY), validEnd: new Date(now.getTime() + 365 * DAY),
  picture: { type: 'png', data: Buffer.from('\x89PNG not really'), widthMm: 42, heightMm: 42 }, ...over,
});

const stamp = (sealDer: Buffer, timeInfo = now) =>
  buildSesSignature({ sealDer, timeInfo, dataHash: sm3('signed data'), propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml' }, stamper);

test('a seal round-trips and its maker signature verifies', () => {
  const der = buildSeal(info(), maker);
  const parsed = parseSeal(der);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problem);
  const s = parsed.value;
  assert.equal(s.info.name, '北京市朝阳区民政局');
  assert.equal(s.info.esId, '11110105000000101X0001');
  assert.equal(s.info.vendorId, 'zhengzhao');
  assert.deepEqual([s.info.picture.type, s.info.picture.widthMm, s.info.picture.heightMm], ['png', 42, 42]);
  assert.equal(s.info.validEnd.getTime(), now.getTime() + 365 * DAY);
  assert.ok(s.info.signerCertificates[0]!.equals(stamper.certificateDer));
  assert.ok(s.makerCertificateDer.equals(maker.certificateDer));
  assert.deepEqual(checkSeal(s), []);
});

test('a stamp round-trips; it checks the data hash, both signatures, the seal window and the certificate list', () => {
  const seal = buildSeal(info(), maker);
  const parsed = parseSesSignature(stamp(seal));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problem);
  const sig = parsed.value;
  assert.equal(sig.version, 4);
  assert.equal(sig.propertyInfo, '/Doc_0/Signs/Sign_0/Signature.xml');
  assert.ok(sig.seal.der.equals(seal), 'the seal is embedded byte for byte');
  assert.deepEqual(checkSesSignature(sig, sm3('signed data')), { signature: [], seal: [] });
  assert.match(checkSesSignature(sig, sm3('other data')).signature.join(), /dataHash does not match/);

  const late = parseSesSignature(stamp(seal, new Date(now.getTime() + 400 * DAY)));
  assert.ok(late.ok);
  assert.match(checkSesSignature(late.value).seal.join(), /outside the seal's validity/);

  const other = buildSeal(info({ signerCertificates: [maker.certificateDer] }), maker);
  const unlisted = parseSesSignature(stamp(other));
  assert.ok(unlisted.ok);
  assert.match(checkSesSignature(unlisted.value).seal.join(), /not in the seal's certificate list/);
});

test('a changed byte in the seal picture breaks the seal signature, and in the stamp breaks the stamp signature', () => {
  const seal = buildSeal(info(), maker);
  const at = seal.indexOf(Buffer.from('not really'));
  const bad = Buffer.from(seal);
  bad[at] ^= 1;
  const parsedSeal = parseSeal(bad);
  assert.ok(parsedSeal.ok);
  assert.match(checkSeal(parsedSeal.value).join(), /seal's signature does not verify/);

  const sig = stamp(seal);
  const changed = Buffer.from(sig);
  const p = changed.indexOf(Buffer.from('/Doc_0'));
  changed[p + 1] = 'E'.charCodeAt(0);
  const parsed = parseSesSignature(changed);
  assert.ok(parsed.ok);
  const problems = checkSesSignature(parsed.value);
  assert.match(problems.signature.join(), /stamp's signature does not verify/);
  assert.deepEqual(problems.seal, [], 'the seal itself is intact');
});

test('garbage never throws: it yields a problem', () => {
  for (const bytes of [Buffer.alloc(0), Buffer.from('hello'), Buffer.from([0x30, 0x82, 0xff, 0xff]), Buffer.from([0x30, 0x03, 0x02, 0x01, 0x04]), Buffer.from([0x04, 0x01, 0x00])]) {
    const a = parseSeal(bytes);
    const b = parseSesSignature(bytes);
    assert.equal(a.ok, false);
    assert.equal(b.ok, false);
  }
  const seal = buildSeal(info(), maker);
  const truncated = parseSesSignature(stamp(seal).subarray(0, 200));
  assert.equal(truncated.ok, false);
  const wrongVersion = Buffer.from(seal);
  wrongVersion[wrongVersion.indexOf(Buffer.from('ES')) + 4] = 1; // INTEGER 4 → 1 in SES_Header
  const v1 = parseSeal(wrongVersion);
  assert.ok(!v1.ok && /only V4/.test(v1.problem), JSON.stringify(v1));
});

test('openssl reads the structure GB/T 38540 prescribes', { skip: hasOpenssl ? false : 'openssl not installed' }, () => {
  const lines = opensslAsn1parse(stamp(buildSeal(info(), maker)));
  const shape = lines.filter((l) => l.depth <= 5).map((l) => `${l.depth} ${l.type.replace(/\s+\[HEX DUMP\]/, '')}${l.value && !/OCTET|BIT/.test(l.type) ? ` ${l.value}` : ''}`);
  assert.deepEqual(shape, [
    '0 SEQUENCE', // SES_Signature
    '1 SEQUENCE', // TBS_Sign
    '2 INTEGER 04', // version
    '2 SEQUENCE', // SESeal
    '3 SEQUENCE', // SES_SealInfo
    '4 SEQUENCE', // SES_Header
    '5 IA5STRING ES', '5 INTEGER 04', '5 IA5STRING zhengzhao',
    '4 IA5STRING 11110105000000101X0001', // esID
    '4 SEQUENCE', // SES_ESPropertyInfo
    '5 INTEGER 01', '5 UTF8STRING 北京市朝阳区民政局', '5 INTEGER 01', '5 SEQUENCE',
    ...lines.filter((l) => l.depth === 5 && l.type === 'GENERALIZEDTIME').map((l) => `5 GENERALIZEDTIME ${l.value}`),
    '4 SEQUENCE', // SES_ESPictrueInfo
    '5 IA5STRING png', '5 OCTET STRING', '5 INTEGER 2A', '5 INTEGER 2A',
    '3 OCTET STRING', '3 OBJECT SM2-with-SM3', '3 BIT STRING', // maker cert, signAlgID, signedValue
    '2 GENERALIZEDTIME ' + lines.find((l) => l.depth === 2 && l.type === 'GENERALIZEDTIME')!.value, // timeInfo
    '2 BIT STRING', '2 IA5STRING /Doc_0/Signs/Sign_0/Signature.xml', // dataHash, propertyInfo
    '1 OCTET STRING', '1 OBJECT SM2-with-SM3', '1 BIT STRING', // cert, signatureAlgID, signature
  ]);
  assert.equal(lines.filter((l) => l.depth === 5 && l.type === 'GENERALIZEDTIME').length, 3);
  assert.match(lines.find((l) => l.depth === 2 && l.type === 'GENERALIZEDTIME')!.value, /^\d{14}Z$/);
});
