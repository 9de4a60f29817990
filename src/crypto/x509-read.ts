import * as asn1js from 'asn1js';

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const SM2_CURVE = '1.2.156.10197.1.301';

/**
 * The parts of an X.509 certificate that signature formats refer to: the issuer and serial number
 * (CMS IssuerAndSerialNumber) and the SM2 public key. Kept as parsed ASN.1 so a CMS writer can embed
 * them as they are.
 */
export interface CertificateParts {
  certificate: asn1js.Sequence;
  issuer: asn1js.Sequence;
  serialNumber: asn1js.Integer;
  /** 04 ‖ x ‖ y hex when the key is an SM2 key (id-ecPublicKey on sm2p256v1), else undefined. */
  sm2PublicKeyHex?: string;
}

/** What a verifier needs from an X.509 certificate carrying an SM2 key. */
export interface CertificateFacts {
  /** 04 ‖ x ‖ y, 130 hex characters. */
  publicKeyHex: string;
  notBefore: Date;
  notAfter: Date;
  /** The TBSCertificate bytes exactly as encoded, and the outer signature, for checking the issuer's signature. */
  tbsDer: Buffer;
  signatureDer: Buffer;
}

/** The TBSCertificate's fields, with the optional [0] EXPLICIT version skipped (v1 certificates leave it out). */
function tbsFields(der: Uint8Array): { cert: asn1js.Sequence; tbs: asn1js.Sequence; fields: asn1js.AsnType[]; at: number } {
  const parsed = asn1js.fromBER(new Uint8Array(der));
  if (parsed.offset === -1 || parsed.offset !== der.length) throw new Error('certificate is not one DER element');
  const cert = parsed.result;
  if (!(cert instanceof asn1js.Sequence)) throw new Error('certificate is not a SEQUENCE');
  const tbs = cert.valueBlock.value[0];
  if (!(tbs instanceof asn1js.Sequence)) throw new Error('certificate has no TBSCertificate');
  const fields = tbs.valueBlock.value;
  return { cert, tbs, fields, at: fields[0]?.idBlock.tagClass === 3 ? 1 : 0 };
}

/** Throws on anything that is not a DER certificate; callers that must not throw catch it. */
export function readCertificate(der: Uint8Array): CertificateParts {
  const { cert, fields, at } = tbsFields(der);
  const serialNumber = fields[at];
  const issuer = fields[at + 2];
  const spki = fields[at + 5];
  if (!(serialNumber instanceof asn1js.Integer) || !(issuer instanceof asn1js.Sequence) || !(spki instanceof asn1js.Sequence)) {
    throw new Error('TBSCertificate lacks serial number, issuer or public key');
  }
  return { certificate: cert, issuer, serialNumber, sm2PublicKeyHex: sm2Key(spki) };
}

/**
 * Reads the SM2 public key and validity of a DER certificate. Returns undefined (never throws) for
 * anything that is not a certificate with an uncompressed SM2 point: seals and signatures embed
 * certificates we did not make, and a verifier must survive any bytes there.
 */
export function readSm2Certificate(der: Uint8Array): CertificateFacts | undefined {
  try {
    const { cert, tbs, fields, at } = tbsFields(der);
    const sig = cert.valueBlock.value[2];
    if (cert.valueBlock.value.length !== 3 || !(sig instanceof asn1js.BitString)) return undefined;
    const validity = fields[at + 3];
    const spki = fields[at + 5];
    if (!(validity instanceof asn1js.Sequence) || !(spki instanceof asn1js.Sequence)) return undefined;
    const [from, to] = validity.valueBlock.value;
    if (!(from instanceof asn1js.UTCTime) || !(to instanceof asn1js.UTCTime)) return undefined; // GeneralizedTime extends UTCTime
    const publicKeyHex = sm2Key(spki);
    if (!publicKeyHex) return undefined;
    return {
      publicKeyHex,
      notBefore: from.toDate(),
      notAfter: to.toDate(),
      tbsDer: Buffer.from(tbs.valueBeforeDecodeView),
      signatureDer: Buffer.from(sig.valueBlock.valueHexView),
    };
  } catch {
    return undefined;
  }
}

function sm2Key(spki: asn1js.Sequence): string | undefined {
  const [algorithm, key] = spki.valueBlock.value;
  if (!(algorithm instanceof asn1js.Sequence) || !(key instanceof asn1js.BitString)) return undefined;
  const [oid, curve] = algorithm.valueBlock.value;
  if (!(oid instanceof asn1js.ObjectIdentifier) || oid.valueBlock.toString() !== EC_PUBLIC_KEY) return undefined;
  if (!(curve instanceof asn1js.ObjectIdentifier) || curve.valueBlock.toString() !== SM2_CURVE) return undefined;
  const point = Buffer.from(key.valueBlock.valueHexView);
  return point.length === 65 && point[0] === 4 ? point.toString('hex') : undefined;
}
