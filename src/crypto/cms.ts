import * as asn1js from 'asn1js';
import { sm3 } from './sm3.js';

/**
 * CMS SignedData (RFC 5652) with SM3 and SM2, detached (the content is not inside): the signature
 * container of a PDF signature (/SubFilter /adbe.pkcs7.detached).
 *
 * The signature algorithm is written as SM2-with-SM3, 1.2.156.10197.1.501 (GM/T 0006), the same OID
 * as in the node's X.509 certificate and in OFD's SignatureMethod. GM/T 0010 puts the bare SM2
 * signature OID 1.2.156.10197.1.301.1 there instead; verification accepts both, and BouncyCastle
 * maps either with the SM3 digest algorithm to "SM3withSM2".
 */
export const CMS_OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  /** RFC 5035 ESS signing-certificate-v2: binds the certificate to the signature. */
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sm3: '1.2.156.10197.1.401',
  sm2WithSm3: '1.2.156.10197.1.501',
  sm2Sign: '1.2.156.10197.1.301.1',
} as const;

export interface DetachedSignedDataInput {
  /** SM3 of the signed content. */
  contentDigest: Uint8Array;
  signingTime: Date;
  certificate: { parsed: asn1js.Sequence; issuer: asn1js.Sequence; serialNumber: asn1js.Integer; der: Uint8Array };
  /** SM2 with SM3 and the default user ID over the DER SET of signed attributes; returns DER { r, s }. */
  sign(signedAttributesDer: Uint8Array): Uint8Array;
}

const oid = (value: string) => new asn1js.ObjectIdentifier({ value });
const algorithm = (value: string) => new asn1js.Sequence({ value: [oid(value)] });
const octets = (bytes: Uint8Array) => new asn1js.OctetString({ valueHex: new Uint8Array(bytes).buffer });
const attribute = (type: string, value: asn1js.AsnType) => new asn1js.Sequence({ value: [oid(type), new asn1js.Set({ value: [value] })] });
const der = (v: asn1js.AsnType) => Buffer.from(v.toBER(false));
/** RFC 5652 11.3: UTCTime through 2049, GeneralizedTime after. */
const time = (d: Date) => (d.getUTCFullYear() < 2050 ? new asn1js.UTCTime({ valueDate: d }) : new asn1js.GeneralizedTime({ valueDate: d }));

/** Returns the DER ContentInfo { signedData }. */
export function buildDetachedSignedData(input: DetachedSignedDataInput): Buffer {
  const attributes = [
    attribute(CMS_OID.contentType, oid(CMS_OID.data)),
    attribute(CMS_OID.signingTime, time(input.signingTime)),
    attribute(CMS_OID.messageDigest, octets(input.contentDigest)),
    // ESSCertIDv2 { hashAlgorithm SM3 (not the DEFAULT SHA-256, so written), certHash }
    attribute(CMS_OID.signingCertificateV2, new asn1js.Sequence({
      value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [algorithm(CMS_OID.sm3), octets(sm3(input.certificate.der))] })] })],
    })),
  ];
  // DER orders a SET OF by the encodings of its elements; verifiers re-encode and would disagree.
  const encoded = attributes.map((a) => ({ a, bytes: der(a) })).sort((x, y) => Buffer.compare(x.bytes, y.bytes)).map((x) => x.a);
  const signature = input.sign(der(new asn1js.Set({ value: encoded })));
  const signerInfo = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 1 }), // version 1: the signer is named by issuer and serial number
      new asn1js.Sequence({ value: [input.certificate.issuer, input.certificate.serialNumber] }),
      algorithm(CMS_OID.sm3),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: encoded }),
      algorithm(CMS_OID.sm2WithSm3),
      octets(signature),
    ],
  });
  const signedData = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 1 }),
      new asn1js.Set({ value: [algorithm(CMS_OID.sm3)] }),
      new asn1js.Sequence({ value: [oid(CMS_OID.data)] }), // no eContent: detached
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [input.certificate.parsed] }),
      new asn1js.Set({ value: [signerInfo] }),
    ],
  });
  return der(new asn1js.Sequence({
    value: [oid(CMS_OID.signedData), new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [signedData] })],
  }));
}
