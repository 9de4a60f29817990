import { deflateSync } from 'node:zlib';
import type { LayoutInput, LayoutSeal } from '../../src/core/layout-input.js';
import type { FileSigner } from '../../src/core/layout-input.js';
import { buildSeal } from '../../src/crypto/ses.js';
import { sealPicturePng, SEAL_SIZE_MM } from '../../src/files/seal-picture.js';

export const SAMPLE_ID = '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U';

/** A small RGB PNG of one colour, made here so tests depend on no file. */
export function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const crc = (buf: Buffer) => {
    let c = ~0;
    for (const b of buf) { c ^= b; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
    return ~c >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4); sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.concat(Array.from({ length: width }, () => Buffer.from(rgb)))]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** The issuer's seal, made and listed for the given node key, valid from yesterday for a year. */
export function sampleSeal(signer: FileSigner, name = '××市××区民政局', validFrom = new Date(Date.now() - 86_400_000), days = 365): LayoutSeal {
  const picturePng = sealPicturePng(name);
  const sesealDer = buildSeal({
    vendorId: 'zhengzhao', esId: '11330105002500287C0001', type: 1, name, signerCertificates: [signer.certificateDer],
    createDate: validFrom, validStart: validFrom, validEnd: new Date(validFrom.getTime() + days * 86_400_000),
    picture: { type: 'png', data: picturePng, widthMm: SEAL_SIZE_MM, heightMm: SEAL_SIZE_MM },
  }, signer);
  return { name, picturePng, sesealDer };
}

/** A marriage certificate as the core would hand it to a renderer. */
export function sampleInput(seal: LayoutSeal | undefined, extra: Partial<LayoutInput> = {}): LayoutInput {
  return {
    title: '结婚证',
    fields: [
      { name: '持证人', value: '张三', valueType: 'string' },
      { name: '登记日期', value: '2014年3月4日', valueType: 'string' },
      { name: '结婚证字号', value: 'J320000-2011-001327', valueType: 'string' },
      { name: '备注', value: '这是一段很长的备注，用来检查换行是否与版式文件的PDF一致，内容会超过一行的宽度而折到下一行。', valueType: 'string' },
      { name: '照片', value: solidPng(60, 80, [40, 90, 160]).toString('base64'), valueType: 'picture' },
    ],
    footer: ['××市××区民政局', '2014年3月4日'],
    metadata: {
      certificateId: SAMPLE_ID, typeName: '结婚证', typeCode: '111000000000131433001', holderCode: '11010519491231002X', holderName: '张三',
      issuer: '××市××区民政局', issuerCode: '11330105002500287C', issueDate: '2014-03-04',
    },
    qrText: `https://zz.example.gov.cn/verify?id=${encodeURIComponent(SAMPLE_ID)}`,
    ...(seal ? { seal } : {}),
    ...extra,
  };
}
