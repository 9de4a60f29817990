import * as asn1js from 'asn1js';
import { randomBytes } from 'node:crypto';
import { sm2PublicKeyPem, sm2Sign, SM2_DEFAULT_USER_ID } from './sm2.js';

/** OIDs of the Chinese commercial cryptography (GM/T 0006) and X.500 names. */
const OID = {
  sm2WithSm3: '1.2.156.10197.1.501',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  country: '2.5.4.6',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
};

export interface SelfSignedInput {
  commonName: string;
  organization: string;
  publicKeyHex: string;
  privateKeyHex: string;
  notBefore: Date;
  notAfter: Date;
  /** Key identifier bytes, e.g. a hash of the public key. */
  keyId: Buffer;
}

/** Who signs a certificate issued to another key (`issuedCertificate`). */
export interface CertificateIssuer { commonName: string; organization: string; privateKeyHex: string }

const name = (cn: string, o: string) =>
  new asn1js.Sequence({
    value: [
      [OID.country, new asn1js.PrintableString({ value: 'CN' })],
      [OID.organization, new asn1js.Utf8String({ value: o })],
      [OID.commonName, new asn1js.Utf8String({ value: cn })],
    ].map(([oid, v]) => new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid as string }), v as asn1js.AsnType] })] })),
  });

const algorithm = () => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.sm2WithSm3 })] });

/** UTCTime up to 2049, GeneralizedTime after, as RFC 5280 4.1.2.5 requires. */
const time = (d: Date) => (d.getUTCFullYear() < 2050 ? new asn1js.UTCTime({ valueDate: d }) : new asn1js.GeneralizedTime({ valueDate: d }));

const extension = (oid: string, critical: boolean, value: asn1js.AsnType) =>
  new asn1js.Sequence({
    value: [new asn1js.ObjectIdentifier({ value: oid }), ...(critical ? [new asn1js.Boolean({ value: true })] : []),
      new asn1js.OctetString({ valueHex: value.toBER(false) })],
  });

const der = (v: asn1js.AsnType) => Buffer.from(v.toBER(false));

/**
 * A self-issued X.509 v3 certificate for an SM2 key, signed with SM2-with-SM3 (user ID
 * 1234567812345678) by the same key: what a node publishes so that the public key behind its
 * signatures comes with a subject and a validity. Not a CA (basicConstraints cA false); its key
 * signs data (digitalSignature, nonRepudiation).
 *
 * The signature uses the default SM2 user ID, as GM/T 0015 (GB/T 20518) certificates do and as
 * BouncyCastle and GmSSL check them. OpenSSL 3.0's `openssl verify -check_ss_sig` computes Z with an
 * empty ID for certificates and so rejects such signatures; `openssl pkeyutl -verify -pkeyopt
 * distid:1234567812345678` over the TBSCertificate checks them (the suite does).
 */
export function selfSignedCertificate(input: SelfSignedInput): { der: Buffer; pem: string } {
  return issuedCertificate({ ...input, privateKeyHex: undefined }, { commonName: input.commonName, organization: input.organization, privateKeyHex: input.privateKeyHex });
}

/**
 * The same certificate for a key whose private half the issuer does not use: subject and public key
 * from `input`, issuer name and signature from `issuer` (the YRD application certificates, which a
 * node issues to its trusted apps with its own key).
 */
export function issuedCertificate(input: Omit<SelfSignedInput, 'privateKeyHex'> & { privateKeyHex?: undefined }, issuer: CertificateIssuer): { der: Buffer; pem: string } {
  const spki = asn1js.fromBER(new Uint8Array(Buffer.from(sm2PublicKeyPem(input.publicKeyHex).replace(/-----[^-]+-----|\s/g, ''), 'base64'))).result;
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f; // a positive INTEGER
  const subject = name(input.commonName, input.organization);
  const keyUsageBits = new asn1js.BitString({ valueHex: new Uint8Array([0xc0]).buffer, unusedBits: 6 });
  const tbs = new asn1js.Sequence({
    value: [
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Integer({ value: 2 })] }),
      new asn1js.Integer({ valueHex: new Uint8Array(serial).buffer }),
      algorithm(),
      name(issuer.commonName, issuer.organization),
      new asn1js.Sequence({ value: [time(input.notBefore), time(input.notAfter)] }),
      subject,
      spki,
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 3 },
        value: [new asn1js.Sequence({
          value: [
            extension(OID.basicConstraints, true, new asn1js.Sequence({ value: [] })),
            extension(OID.keyUsage, true, keyUsageBits),
            extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: new Uint8Array(input.keyId).buffer })),
          ],
        })],
      }),
    ],
  });
  const tbsDer = der(tbs);
  const signature = sm2Sign(tbsDer, issuer.privateKeyHex, SM2_DEFAULT_USER_ID);
  const cert = new asn1js.Sequence({
    value: [tbs, algorithm(), new asn1js.BitString({ valueHex: new Uint8Array(signature).buffer })],
  });
  const out = der(cert);
  return { der: out, pem: `-----BEGIN CERTIFICATE-----\n${out.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n` };
}
