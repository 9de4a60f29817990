import * as asn1js from 'asn1js';
import { sm2Verify } from './sm2.js';
import { readSm2Certificate } from './x509-read.js';

/**
 * GB/T 38540-2019 electronic seals (V4): the SESeal an organisation's seal is, and the SES_Signature
 * that stamps it on a document (in OFD: SignedValue.dat). Built and parsed with asn1js; the ASN.1
 * modules are quoted beside each builder. V1 (GM/T 0031) differs (UTCTime, cert inside TBS_Sign) and
 * is not produced or accepted.
 */

export const SES_OID = {
  /** SM2 with SM3: the signature algorithm of seals and stamps. */
  sm2WithSm3: '1.2.156.10197.1.501',
  /** SM3: the digest of OFD References. */
  sm3: '1.2.156.10197.1.401',
} as const;

export const SES_VERSION = 4;

/** Who signs: an SM2 key with its certificate; sign() returns DER SEQUENCE { r, s } (default user ID). */
export interface SesSigner {
  sign(data: Uint8Array): Buffer;
  certificateDer: Buffer;
}

export interface SealPicture {
  /** "png" here; the standard also allows "ofd", "jpg", "gif", "bmp". */
  type: string;
  data: Buffer;
  widthMm: number;
  heightMm: number;
}

export interface SealInfo {
  /** SES_Header.Vid: the vendor that made the seal. */
  vendorId: string;
  esId: string;
  /** 1: organisation seal (单位印章), 2: personal seal. */
  type: number;
  name: string;
  /** Certificates of whoever may stamp with the seal (certListType 1). */
  signerCertificates: Buffer[];
  createDate: Date;
  validStart: Date;
  validEnd: Date;
  picture: SealPicture;
}

export interface ParsedSeal {
  info: SealInfo;
  makerCertificateDer: Buffer;
  signAlgId: string;
  signedValue: Buffer;
  /** DER of SES_SealInfo exactly as encoded: what signedValue covers. */
  sealInfoDer: Buffer;
  der: Buffer;
}

export interface StampInput {
  sealDer: Buffer;
  timeInfo: Date;
  /** In OFD: SM3 of the Signature.xml bytes. */
  dataHash: Buffer;
  /** In OFD: the path of Signature.xml. */
  propertyInfo: string;
}

export interface ParsedSesSignature {
  version: number;
  seal: ParsedSeal;
  timeInfo: Date;
  dataHash: Buffer;
  propertyInfo: string;
  signerCertificateDer: Buffer;
  signatureAlgId: string;
  signature: Buffer;
  /** DER of TBS_Sign exactly as encoded: what signature covers. */
  tbsDer: Buffer;
}

// --- building ---------------------------------------------------------------------------------

const der = (v: asn1js.AsnType) => Buffer.from(v.toBER(false));
const octets = (b: Uint8Array) => new asn1js.OctetString({ valueHex: new Uint8Array(b) });
const bits = (b: Uint8Array) => new asn1js.BitString({ valueHex: new Uint8Array(b) });
const oid = (value: string) => new asn1js.ObjectIdentifier({ value });
/** DER GeneralizedTime has no fraction when it is zero; seals have no use for milliseconds. */
const time = (d: Date) => new asn1js.GeneralizedTime({ valueDate: new Date(Math.floor(d.getTime() / 1000) * 1000) });

/**
 * SES_SealInfo ::= SEQUENCE { header SES_Header, esID IA5String, property SES_ESPropertyInfo,
 *   picture SES_ESPictrueInfo, extDatas ExtensionDatas OPTIONAL }
 * SES_Header ::= SEQUENCE { ID IA5String ("ES"), version INTEGER, Vid IA5String }
 * SES_ESPropertyInfo ::= SEQUENCE { type INTEGER, name UTF8String, certListType INTEGER,
 *   certList SES_CertList, createDate, validStart, validEnd GeneralizedTime }
 * SES_CertList (certListType 1) ::= SEQUENCE OF OCTET STRING -- the certificates
 * SES_ESPictrueInfo ::= SEQUENCE { type IA5String, data OCTET STRING, width INTEGER, height INTEGER }
 */
function sealInfo(i: SealInfo): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.IA5String({ value: 'ES' }), new asn1js.Integer({ value: SES_VERSION }), new asn1js.IA5String({ value: i.vendorId })] }),
      new asn1js.IA5String({ value: i.esId }),
      new asn1js.Sequence({
        value: [
          new asn1js.Integer({ value: i.type }),
          new asn1js.Utf8String({ value: i.name }),
          new asn1js.Integer({ value: 1 }),
          new asn1js.Sequence({ value: i.signerCertificates.map(octets) }),
          time(i.createDate), time(i.validStart), time(i.validEnd),
        ],
      }),
      new asn1js.Sequence({
        value: [
          new asn1js.IA5String({ value: i.picture.type }), octets(i.picture.data),
          new asn1js.Integer({ value: Math.round(i.picture.widthMm) }), new asn1js.Integer({ value: Math.round(i.picture.heightMm) }),
        ],
      }),
    ],
  });
}

/**
 * SESeal ::= SEQUENCE { eSealInfo SES_SealInfo, cert OCTET STRING (the maker's certificate),
 *   signAlgID OBJECT IDENTIFIER, signedValue BIT STRING (the maker's signature over eSealInfo) }
 */
export function buildSeal(info: SealInfo, maker: SesSigner): Buffer {
  if (!/^[\x20-\x7e]+$/.test(info.esId) || !/^[\x20-\x7e]*$/.test(info.vendorId)) throw new Error('esID and vendor id are IA5 (ASCII) strings');
  const infoDer = der(sealInfo(info));
  return der(new asn1js.Sequence({
    value: [asn1js.fromBER(new Uint8Array(infoDer)).result, octets(maker.certificateDer), oid(SES_OID.sm2WithSm3), bits(maker.sign(infoDer))],
  }));
}

/**
 * SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING, signatureAlgID OBJECT IDENTIFIER,
 *   signature BIT STRING, timeStamp [0] EXPLICIT BIT STRING OPTIONAL }
 * TBS_Sign ::= SEQUENCE { version INTEGER, eseal SESeal, timeInfo GeneralizedTime,
 *   dataHash BIT STRING, propertyInfo IA5String, extDatas [0] EXPLICIT ExtensionDatas OPTIONAL }
 * The seal goes in as its exact bytes: re-encoding could change what its maker signed.
 */
export function buildSesSignature(input: StampInput, signer: SesSigner): Buffer {
  // The seal (tens of KiB with its picture) is spliced in as bytes rather than parsed and encoded
  // again: faster, and exactly what its maker signed. It must at least be one whole DER SEQUENCE.
  if (input.sealDer[0] !== 0x30 || derElement(input.sealDer, 0).end !== input.sealDer.length) throw new Error('the seal is not DER');
  const tbsDer = sequence([der(new asn1js.Integer({ value: SES_VERSION })), input.sealDer, der(time(input.timeInfo)), der(bits(input.dataHash)), der(new asn1js.IA5String({ value: input.propertyInfo }))]);
  return sequence([tbsDer, der(octets(signer.certificateDer)), der(oid(SES_OID.sm2WithSm3)), der(bits(signer.sign(tbsDer)))]);
}

/** DER SEQUENCE of already encoded elements. */
function sequence(items: Buffer[]): Buffer {
  const body = Buffer.concat(items);
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([0x30, ...len]), body]);
}

/** The element starting at `at`: where its content starts and where it ends (definite lengths only). */
function derElement(b: Uint8Array, at: number): { content: number; end: number } {
  if (at + 2 > b.length || (b[at]! & 0x1f) === 0x1f) throw new Malformed('not DER');
  let n = b[at + 1]!;
  let content = at + 2;
  if (n & 0x80) {
    const k = n & 0x7f;
    if (k === 0 || k > 4 || content + k > b.length) throw new Malformed('not DER');
    n = 0;
    for (let i = 0; i < k; i++) n = n * 256 + b[content + i]!;
    content += k;
  }
  if (content + n > b.length) throw new Malformed('not DER');
  return { content, end: content + n };
}

/**
 * The SESeal inside an SES_Signature, as its exact bytes, found by walking the DER (SES_Signature →
 * TBS_Sign → its second element) without decoding the rest: an annotated copy stamps the original's
 * seal again and needs nothing else of it. Throws when the structure is not there.
 */
export function sealOfSesSignature(sigDer: Uint8Array): Buffer {
  const top = derElement(sigDer, 0);
  if (sigDer[0] !== 0x30 || top.end !== sigDer.length) throw new Malformed('SES_Signature: not a DER SEQUENCE');
  if (sigDer[top.content] !== 0x30) throw new Malformed('TBS_Sign: not a SEQUENCE');
  const tbs = derElement(sigDer, top.content);
  const version = derElement(sigDer, tbs.content);
  if (sigDer[tbs.content] !== 0x02 || version.end >= tbs.end || sigDer[version.end] !== 0x30) throw new Malformed('TBS_Sign.eseal: not a SEQUENCE');
  const seal = derElement(sigDer, version.end);
  if (seal.end > tbs.end) throw new Malformed('TBS_Sign.eseal: runs past TBS_Sign');
  return Buffer.from(sigDer.subarray(version.end, seal.end));
}

// --- parsing ----------------------------------------------------------------------------------

class Malformed extends Error {}

type Ctor<T> = abstract new (...args: never[]) => T;

function take<T extends asn1js.AsnType>(items: asn1js.AsnType[], i: number, type: Ctor<T>, what: string): T {
  const v = items[i];
  if (!(v instanceof type)) throw new Malformed(`${what}: expected ${type.name}`);
  return v;
}
const children = (s: asn1js.Sequence) => s.valueBlock.value;
const bytes = (v: asn1js.OctetString | asn1js.BitString) => Buffer.from(v.valueBlock.valueHexView);
const int = (v: asn1js.Integer, what: string) => {
  const n = v.valueBlock.valueDec;
  if (!Number.isSafeInteger(n)) throw new Malformed(`${what}: integer out of range`);
  return n;
};

function parseDer(bytesIn: Uint8Array, what: string): asn1js.Sequence {
  const parsed = asn1js.fromBER(new Uint8Array(bytesIn));
  if (parsed.offset === -1) throw new Malformed(`${what}: not DER (${parsed.result.error || 'bad encoding'})`);
  if (parsed.offset !== bytesIn.length) throw new Malformed(`${what}: trailing bytes after the structure`);
  if (!(parsed.result instanceof asn1js.Sequence)) throw new Malformed(`${what}: not a SEQUENCE`);
  return parsed.result;
}

function readSeal(seq: asn1js.Sequence): ParsedSeal {
  const top = children(seq);
  const info = take(top, 0, asn1js.Sequence, 'SES_SealInfo');
  const f = children(info);
  const header = children(take(f, 0, asn1js.Sequence, 'SES_Header'));
  const id = take(header, 0, asn1js.IA5String, 'SES_Header.ID').getValue();
  const version = int(take(header, 1, asn1js.Integer, 'SES_Header.version'), 'SES_Header.version');
  if (id !== 'ES') throw new Malformed(`SES_Header.ID is "${id}", not "ES"`);
  if (version !== SES_VERSION) throw new Malformed(`seal version ${version}: only V4 (GB/T 38540) is read`);
  const prop = children(take(f, 2, asn1js.Sequence, 'SES_ESPropertyInfo'));
  const certListType = int(take(prop, 2, asn1js.Integer, 'certListType'), 'certListType');
  const certList = take(prop, 3, asn1js.Sequence, 'certList');
  const pic = children(take(f, 3, asn1js.Sequence, 'SES_ESPictrueInfo'));
  const gtime = (i: number, what: string) => take(prop, i, asn1js.GeneralizedTime, what).toDate();
  return {
    info: {
      vendorId: take(header, 2, asn1js.IA5String, 'SES_Header.Vid').getValue(),
      esId: take(f, 1, asn1js.IA5String, 'esID').getValue(),
      type: int(take(prop, 0, asn1js.Integer, 'type'), 'type'),
      name: take(prop, 1, asn1js.Utf8String, 'name').getValue(),
      // certListType 2 lists digests, not certificates: nothing to read as a certificate then.
      signerCertificates: certListType === 1 ? children(certList).map((c, i) => bytes(take([c], 0, asn1js.OctetString, `certList[${i}]`))) : [],
      createDate: gtime(4, 'createDate'), validStart: gtime(5, 'validStart'), validEnd: gtime(6, 'validEnd'),
      picture: {
        type: take(pic, 0, asn1js.IA5String, 'picture type').getValue(),
        data: bytes(take(pic, 1, asn1js.OctetString, 'picture data')),
        widthMm: int(take(pic, 2, asn1js.Integer, 'picture width'), 'picture width'),
        heightMm: int(take(pic, 3, asn1js.Integer, 'picture height'), 'picture height'),
      },
    },
    makerCertificateDer: bytes(take(top, 1, asn1js.OctetString, 'SESeal.cert')),
    signAlgId: take(top, 2, asn1js.ObjectIdentifier, 'SESeal.signAlgID').getValue(),
    signedValue: bytes(take(top, 3, asn1js.BitString, 'SESeal.signedValue')),
    sealInfoDer: Buffer.from(info.valueBeforeDecodeView),
    der: Buffer.from(seq.valueBeforeDecodeView),
  };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

function guard<T>(what: string, fn: () => T): Parsed<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, problem: err instanceof Malformed ? err.message : `${what}: unreadable (${(err as Error).message})` };
  }
}

/** Reads a DER SESeal; never throws. Does not check its signature: see checkSeal. */
export function parseSeal(sealDer: Uint8Array): Parsed<ParsedSeal> {
  return guard('SESeal', () => readSeal(parseDer(sealDer, 'SESeal')));
}

/** Reads a DER SES_Signature (V4); never throws. Does not check signatures: see checkSesSignature. */
export function parseSesSignature(sigDer: Uint8Array): Parsed<ParsedSesSignature> {
  return guard('SES_Signature', () => {
    const top = children(parseDer(sigDer, 'SES_Signature'));
    const tbs = take(top, 0, asn1js.Sequence, 'TBS_Sign');
    const t = children(tbs);
    const version = int(take(t, 0, asn1js.Integer, 'TBS_Sign.version'), 'TBS_Sign.version');
    if (version !== SES_VERSION) throw new Malformed(`SES_Signature version ${version}: only V4 (GB/T 38540) is read`);
    return {
      version,
      seal: readSeal(take(t, 1, asn1js.Sequence, 'TBS_Sign.eseal')),
      timeInfo: take(t, 2, asn1js.GeneralizedTime, 'TBS_Sign.timeInfo').toDate(),
      dataHash: bytes(take(t, 3, asn1js.BitString, 'TBS_Sign.dataHash')),
      propertyInfo: take(t, 4, asn1js.IA5String, 'TBS_Sign.propertyInfo').getValue(),
      signerCertificateDer: bytes(take(top, 1, asn1js.OctetString, 'SES_Signature.cert')),
      signatureAlgId: take(top, 2, asn1js.ObjectIdentifier, 'SES_Signature.signatureAlgID').getValue(),
      signature: bytes(take(top, 3, asn1js.BitString, 'SES_Signature.signature')),
      tbsDer: Buffer.from(tbs.valueBeforeDecodeView),
    };
  });
}

// --- checking ---------------------------------------------------------------------------------

/** Problems with a seal's own signature (by its maker) and its picture; empty when it verifies. */
export function checkSeal(seal: ParsedSeal): string[] {
  const problems: string[] = [];
  if (seal.signAlgId !== SES_OID.sm2WithSm3) problems.push(`seal signed with ${seal.signAlgId}, not SM2-with-SM3`);
  const maker = readSm2Certificate(seal.makerCertificateDer);
  if (!maker) problems.push("the seal maker's certificate is not an SM2 certificate");
  else if (!sm2Verify(seal.sealInfoDer, seal.signedValue, maker.publicKeyHex)) problems.push("the seal's signature does not verify with its maker's certificate");
  if (seal.info.validStart > seal.info.validEnd) problems.push('the seal ends before it starts');
  return problems;
}

/**
 * Problems with a stamp, in two kinds. `signature`: its signature over TBS_Sign with the public key
 * of its certificate, and (when given) the hash of the signed data. `seal`: the seal's own signature,
 * the signing time within the seal's validity, and the signer among those the seal lists. Both empty
 * when all hold.
 */
export function checkSesSignature(sig: ParsedSesSignature, expectedDataHash?: Uint8Array): { signature: string[]; seal: string[] } {
  const signature: string[] = [];
  if (sig.signatureAlgId !== SES_OID.sm2WithSm3) signature.push(`stamp signed with ${sig.signatureAlgId}, not SM2-with-SM3`);
  const signer = readSm2Certificate(sig.signerCertificateDer);
  if (!signer) signature.push("the signer's certificate is not an SM2 certificate");
  else if (!sm2Verify(sig.tbsDer, sig.signature, signer.publicKeyHex)) signature.push("the stamp's signature does not verify with the signer's certificate");
  if (expectedDataHash && !Buffer.from(expectedDataHash).equals(sig.dataHash)) signature.push('dataHash does not match the signed data');

  const seal = checkSeal(sig.seal).map((p) => `seal: ${p}`);
  const { validStart, validEnd } = sig.seal.info;
  if (sig.timeInfo < validStart || sig.timeInfo > validEnd) {
    seal.push(`signed at ${sig.timeInfo.toISOString()}, outside the seal's validity ${validStart.toISOString()} – ${validEnd.toISOString()}`);
  }
  // GB/T 38540 7.2: whoever stamps must be among the certificates the seal lists (certListType 1).
  const listed = sig.seal.info.signerCertificates;
  if (listed.length > 0 && !listed.some((c) => c.equals(sig.signerCertificateDer))) seal.push("the signer's certificate is not in the seal's certificate list");
  return { signature, seal };
}
