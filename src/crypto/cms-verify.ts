import * as asn1js from 'asn1js';
import { createHash } from 'node:crypto';
import { CMS_OID } from './cms.js';
import { sm2Verify } from './sm2.js';
import { sm3 } from './sm3.js';
import { readCertificate } from './x509-read.js';

export interface CmsVerification {
  /** Digest, certificate binding and SM2 signature all check, and the container is plain DER. */
  valid: boolean;
  signerPublicKeyHex?: string;
  signerCertificateDer?: Buffer;
  signingTime?: Date;
  problems: string[];
}

export interface CmsVerifyOptions {
  /** Zero bytes may follow the DER (a PDF /Contents placeholder is larger than the signature). */
  zeroPadded?: boolean;
}

/**
 * Checks a detached CMS SignedData made with SM3 and SM2 (as buildDetachedSignedData writes it)
 * over content given as parts, so a PDF's two byte ranges need no copy. Never throws.
 *
 * Everything in the container that the signature does not cover is pinned down some other way, so
 * that no byte of it can change unnoticed: the encoding must be DER exactly, padding must be zeros,
 * versions and algorithms must be the expected ones, the signer identifier must name the embedded
 * certificate, and the certificate itself must match the hash in the signed ESS
 * signing-certificate-v2 attribute when there is one.
 */
export function verifyDetachedSignedData(bytes: Uint8Array, content: Uint8Array[], opts: CmsVerifyOptions = {}): CmsVerification {
  const problems: string[] = [];
  const out: CmsVerification = { valid: false, problems };
  try {
    check(bytes, content, opts, out);
  } catch (e) {
    problems.push(`CMS: ${(e as Error).message}`);
  }
  out.valid = out.valid && problems.length === 0;
  return out;
}

function check(bytes: Uint8Array, content: Uint8Array[], opts: CmsVerifyOptions, out: CmsVerification): void {
  const problems = out.problems;
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset === -1) throw new Error(`not BER: ${parsed.result.error}`);
  const rest = Buffer.from(bytes.subarray(parsed.offset));
  if (rest.length > 0 && (!opts.zeroPadded || rest.some((b) => b !== 0))) problems.push('CMS: bytes after the SignedData are not zero padding');
  if (!Buffer.from(parsed.result.toBER(false)).equals(Buffer.from(bytes.subarray(0, parsed.offset)))) problems.push('CMS: the encoding is not DER');

  if (!isStrictDerTree(parsed.result)) throw new Error('the encoding is not DER');
  const contentInfo = seq(parsed.result, 'ContentInfo');
  if (contentInfo.length !== 2) throw new Error('ContentInfo does not have two fields');
  expectOid(contentInfo[0], CMS_OID.signedData, 'ContentInfo contentType');
  const sd = seq(explicit0(contentInfo[1], 'ContentInfo content'), 'SignedData');
  let i = 0;
  expectInt(sd[i++], 1, 'SignedData version');
  const digestAlgorithms = set(sd[i++], 'digestAlgorithms').map((a) => algorithmOid(a));
  if (!digestAlgorithms.includes(CMS_OID.sm3)) problems.push('CMS: SM3 is not among the digest algorithms');
  const encap = seq(sd[i++], 'EncapsulatedContentInfo');
  expectOid(encap[0], CMS_OID.data, 'eContentType');
  if (encap.length > 1) problems.push('CMS: the content is not detached');
  const certificates: Uint8Array[] = [];
  if (isContext(sd[i], 0)) certificates.push(...children(sd[i++]!).map((c) => c.valueBeforeDecodeView));
  if (isContext(sd[i], 1)) problems.push('CMS: revocation data is not expected');
  const signerInfos = set(sd[sd.length - 1], 'signerInfos');
  if (signerInfos.length !== 1) throw new Error(`expected one SignerInfo, found ${signerInfos.length}`);

  const si = seq(signerInfos[0], 'SignerInfo');
  expectInt(si[0], 1, 'SignerInfo version');
  const sid = si[1];
  if (!(sid instanceof asn1js.Sequence)) throw new Error('the signer is not named by issuer and serial number');
  if (algorithmOid(si[2]) !== CMS_OID.sm3) problems.push('CMS: the signer digest algorithm is not SM3');
  if (!isContext(si[3], 0)) throw new Error('no signed attributes');
  const signedAttrs = si[3]!;
  const sigAlg = algorithmOid(si[4]);
  if (sigAlg !== CMS_OID.sm2WithSm3 && sigAlg !== CMS_OID.sm2Sign) problems.push(`CMS: signature algorithm ${sigAlg} is not SM2`);
  const signature = si[5];
  if (!(signature instanceof asn1js.OctetString)) throw new Error('no signature value');
  if (si.length > 6) problems.push('CMS: unsigned attributes are not expected');

  // The signer: the embedded certificate whose issuer and serial number the SignerInfo names.
  const sidDer = Buffer.from(sid.toBER(false));
  const certDer = certificates.find((c) => {
    try {
      const parts = readCertificate(c);
      return Buffer.from(new asn1js.Sequence({ value: [parts.issuer, parts.serialNumber] }).toBER(false)).equals(sidDer);
    } catch {
      return false;
    }
  });
  if (!certDer) throw new Error('the signer certificate is not in the SignedData');
  out.signerCertificateDer = Buffer.from(certDer);
  const key = readCertificate(certDer).sm2PublicKeyHex;
  if (!key) throw new Error('the signer certificate does not hold an SM2 public key');
  out.signerPublicKeyHex = key;

  const attrs = new Map<string, asn1js.AsnType>();
  for (const a of children(signedAttrs)) {
    const [type, values] = seq(a, 'Attribute');
    const name = oidOf(type) ?? '?';
    const vals = set(values, `attribute ${name}`);
    if (attrs.has(name) || vals.length !== 1) problems.push(`CMS: attribute ${name} must occur once with one value`);
    attrs.set(name, vals[0]!);
  }
  if (oidOf(attrs.get(CMS_OID.contentType)) !== CMS_OID.data) problems.push('CMS: the contentType attribute is not data');
  const digest = attrs.get(CMS_OID.messageDigest);
  if (!(digest instanceof asn1js.OctetString)) throw new Error('no messageDigest attribute');
  const h = createHash('sm3');
  for (const part of content) h.update(part);
  const digestOk = Buffer.from(digest.valueBlock.valueHexView).equals(h.digest());
  if (!digestOk) problems.push('the signed bytes changed: their SM3 differs from the signed messageDigest');
  const when = attrs.get(CMS_OID.signingTime);
  if (when instanceof asn1js.UTCTime || when instanceof asn1js.GeneralizedTime) out.signingTime = when.toDate();
  const essCert = attrs.get(CMS_OID.signingCertificateV2);
  if (essCert) checkEssCertificate(essCert, certDer, problems);

  // RFC 5652 5.4: the signature is over the DER of the attributes with the SET OF tag, not [0].
  const toSign = Buffer.from(signedAttrs.valueBeforeDecodeView);
  toSign[0] = 0x31;
  const signatureOk = isStrictSm2Signature(signature.valueBlock.valueHexView) && sm2Verify(toSign, signature.valueBlock.valueHexView, key);
  if (!signatureOk) problems.push('the SM2 signature does not verify with the certificate key');
  out.valid = digestOk && signatureOk;
}

/**
 * SEQUENCE { r INTEGER, s INTEGER } in DER, nothing more: the SM2 library's own decoder overlooks
 * wrong tags and lengths, so a changed byte there would still verify.
 */
function isStrictSm2Signature(bytes: Uint8Array): boolean {
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset !== bytes.length || !(parsed.result instanceof asn1js.Sequence) || !isStrictDerTree(parsed.result)) return false;
  const ints = parsed.result.valueBlock.value;
  if (ints.length !== 2 || !ints.every((i) => i instanceof asn1js.Integer)) return false;
  if (!Buffer.from(parsed.result.toBER(false)).equals(Buffer.from(bytes))) return false;
  return ints.every((i) => {
    const v = (i as asn1js.Integer).valueBlock.valueHexView;
    // positive, minimal, at most 256 bits
    return v.length > 0 && v.length <= 33 && v[0]! < 0x80 && !(v[0] === 0 && (v.length === 1 || v[1]! < 0x80));
  });
}

/**
 * What asn1js reads leniently and then re-encodes byte for byte, so the re-encoding check alone
 * misses it: end-of-content markers (zero padding swallowed by a changed length), and the
 * constructed bit set on a string or cleared on a SEQUENCE or SET. DER allows neither.
 */
function isStrictDerTree(v: asn1js.AsnType): boolean {
  if (v instanceof asn1js.EndOfContent) return false;
  const constructed = v instanceof asn1js.Constructed;
  if (v.idBlock.isConstructed !== constructed) return false;
  return !constructed || (v as asn1js.Constructed).valueBlock.value.every(isStrictDerTree);
}

/** SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { hashAlgorithm, certHash, ... } }: the first names the signer. */
function checkEssCertificate(value: asn1js.AsnType, certDer: Uint8Array, problems: string[]): void {
  const first = seq(seq(seq(value, 'SigningCertificateV2')[0], 'ESSCertIDv2 list')[0], 'ESSCertIDv2');
  // hashAlgorithm DEFAULT SHA-256 is left out when it is SHA-256.
  const hashAlg = first[0] instanceof asn1js.Sequence ? algorithmOid(first[0]) : '2.16.840.1.101.3.4.2.1';
  const hash = first[0] instanceof asn1js.Sequence ? first[1] : first[0];
  if (!(hash instanceof asn1js.OctetString)) throw new Error('ESSCertIDv2 has no certHash');
  const expected = hashAlg === CMS_OID.sm3 ? sm3(certDer) : hashAlg === '2.16.840.1.101.3.4.2.1' ? createHash('sha256').update(certDer).digest() : undefined;
  if (!expected) problems.push(`CMS: signing certificate hash algorithm ${hashAlg} is not supported`);
  else if (!expected.equals(Buffer.from(hash.valueBlock.valueHexView))) problems.push('CMS: the embedded certificate is not the one the signature names');
}

function seq(v: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (!(v instanceof asn1js.Sequence)) throw new Error(`${what} is not a SEQUENCE`);
  return v.valueBlock.value;
}

function set(v: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (!(v instanceof asn1js.Set)) throw new Error(`${what} is not a SET`);
  return v.valueBlock.value;
}

function isContext(v: asn1js.AsnType | undefined, tag: number): v is asn1js.Constructed {
  return v instanceof asn1js.Constructed && v.idBlock.tagClass === 3 && v.idBlock.tagNumber === tag;
}

function children(v: asn1js.AsnType): asn1js.AsnType[] {
  return (v as asn1js.Constructed).valueBlock.value;
}

function explicit0(v: asn1js.AsnType | undefined, what: string): asn1js.AsnType {
  if (!isContext(v, 0) || v.valueBlock.value.length !== 1) throw new Error(`${what} is not [0] EXPLICIT`);
  return v.valueBlock.value[0]!;
}

function oidOf(v: asn1js.AsnType | undefined): string | undefined {
  return v instanceof asn1js.ObjectIdentifier ? v.valueBlock.toString() : undefined;
}

function expectOid(v: asn1js.AsnType | undefined, expected: string, what: string): void {
  const got = oidOf(v);
  if (got !== expected) throw new Error(`${what} is ${got ?? 'missing'}, expected ${expected}`);
}

function expectInt(v: asn1js.AsnType | undefined, expected: number, what: string): void {
  if (!(v instanceof asn1js.Integer) || v.valueBlock.valueDec !== expected) throw new Error(`${what} is not ${expected}`);
}

/** An AlgorithmIdentifier's OID; parameters, when present, must be NULL (as some SM3 writers put it). */
function algorithmOid(v: asn1js.AsnType | undefined): string | undefined {
  if (!(v instanceof asn1js.Sequence)) return undefined;
  const [o, params] = v.valueBlock.value;
  if (params !== undefined && !(params instanceof asn1js.Null)) return undefined;
  return oidOf(o);
}
