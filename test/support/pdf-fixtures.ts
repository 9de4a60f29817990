import { createHash } from 'node:crypto';
import { generateSm2KeyPair, sm2Sign } from '../../src/crypto/sm2.js';
import { selfSignedCertificate } from '../../src/crypto/x509.js';
import type { FileSigner, LayoutAnnotation, LayoutInput } from '../../src/core/layout-input.js';
import { sealPng } from './seal-png.js';

/** A node's signer: a fresh SM2 key and its self-issued certificate. */
export function makeSigner(commonName = 'zhengzhao node pdf-test'): FileSigner & { privateKeyHex: string } {
  const k = generateSm2KeyPair();
  const cert = selfSignedCertificate({
    commonName, organization: 'zhengzhao', publicKeyHex: k.publicKey, privateKeyHex: k.privateKey,
    notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z'),
    keyId: createHash('sha1').update(k.publicKey).digest(),
  });
  return { sign: (data) => sm2Sign(data, k.privateKey), certificateDer: cert.der, publicKeyHex: k.publicKey, privateKeyHex: k.privateKey };
}

export const CERTIFICATE_ID = '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U';
export const QR_TEXT = `https://zz.example.gov.cn/v/${CERTIFICATE_ID}?t=q7Ld0Xk2`;

/** A marriage certificate as the core would lay it out, with seal and verification QR code. */
export function certificateLayout(): LayoutInput {
  return {
    title: '结婚证',
    fields: [
      { name: '持证人', value: '张三', valueType: 'string' },
      { name: '性别', value: '男', valueType: 'string' },
      { name: '配偶姓名', value: '李四', valueType: 'string' },
      { name: '登记日期', value: '2014年3月4日', valueType: 'string' },
      { name: '结婚证字号', value: 'J320000-2011-001327', valueType: 'string' },
    ],
    footer: ['××市××区民政局', '2014年3月4日'],
    metadata: {
      certificateId: CERTIFICATE_ID, typeName: '结婚证', typeCode: '111000000000131433001', holderCode: '11010519491231002X',
      holderName: '张三', issuer: '××市××区民政局', issuerCode: '11330105002500287C', issueDate: '2014-03-04',
    },
    qrText: QR_TEXT,
    seal: { name: '××市××区民政局婚姻登记专用章', picturePng: sealPng(), sesealDer: Buffer.alloc(0) },
  };
}

export const ANNOTATION: LayoutAnnotation = {
  text: '仅供××市住房公积金管理中心办理公积金提取使用，有效期至2026年12月31日',
  madeAt: '2026-06-01T10:00:00+08:00',
  maker: '××市政务服务中心',
  reason: '办理住房公积金提取',
  expiresAt: '2026-12-31T23:59:59+08:00',
};

/** The signed parts of a signed PDF: the DER CMS (padding cut off) and the bytes outside /Contents. */
export function signatureParts(pdf: Buffer): { cms: Buffer; ranges: Buffer } {
  const all = [...pdf.toString('latin1').matchAll(/\/ByteRange \[(\d+) (\d+) (\d+) (\d+)/g)];
  const [a, aLen, b, bLen] = all[all.length - 1]!.slice(1).map(Number) as [number, number, number, number];
  const hex = Buffer.from(pdf.toString('latin1', a + aLen + 1, b - 1), 'hex');
  // 30 82 LL LL: a SEQUENCE with a two-byte length, as any CMS of this size has.
  const cms = hex.subarray(0, 4 + hex.readUInt16BE(2));
  return { cms, ranges: Buffer.concat([pdf.subarray(a, a + aLen), pdf.subarray(b, b + bLen)]) };
}
