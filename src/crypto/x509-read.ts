import * as asn1js from 'asn1js';

/** OIDs needed to find an SM2 key in a SubjectPublicKeyInfo. */
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

/** Throws on anything that is not a DER certificate; callers that must not throw catch it. */
export function readCertificate(der: Uint8Array): CertificateParts {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || parsed.offset !== der.length) throw new Error('certificate is not one DER element');
  const certificate = parsed.result;
  if (!(certificate instanceof asn1js.Sequence)) throw new Error('certificate is not a SEQUENCE');
  const tbs = certificate.valueBlock.value[0];
  if (!(tbs instanceof asn1js.Sequence)) throw new Error('certificate has no TBSCertificate');
  // The version is an explicit [0] that v1 certificates leave out.
  const fields = tbs.valueBlock.value;
  const at = fields[0]?.idBlock.tagClass === 3 ? 1 : 0;
  const serialNumber = fields[at];
  const issuer = fields[at + 2];
  const spki = fields[at + 5];
  if (!(serialNumber instanceof asn1js.Integer) || !(issuer instanceof asn1js.Sequence) || !(spki instanceof asn1js.Sequence)) {
    throw new Error('TBSCertificate lacks serial number, issuer or public key');
  }
  return { certificate, issuer, serialNumber, sm2PublicKeyHex: sm2Key(spki) };
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
