import * as asn1js from 'asn1js';

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

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const SM2_CURVE = '1.2.156.10197.1.301';

/**
 * Reads the SM2 public key and validity of a DER certificate. Returns undefined (never throws) for
 * anything that is not a certificate with an uncompressed SM2 point: seals and signatures embed
 * certificates we did not make, and a verifier must survive any bytes there.
 */
export function readSm2Certificate(der: Uint8Array): CertificateFacts | undefined {
  try {
    const parsed = asn1js.fromBER(new Uint8Array(der));
    if (parsed.offset === -1 || parsed.offset !== der.length) return undefined;
    const cert = parsed.result;
    if (!(cert instanceof asn1js.Sequence) || cert.valueBlock.value.length !== 3) return undefined;
    const [tbs, , sig] = cert.valueBlock.value;
    if (!(tbs instanceof asn1js.Sequence) || !(sig instanceof asn1js.BitString)) return undefined;
    const fields = tbs.valueBlock.value;
    // [0] EXPLICIT version is optional (v1 certificates); everything after it is positional.
    const at = fields[0]?.idBlock.tagClass === 3 ? 1 : 0;
    const validity = fields[at + 3];
    const spki = fields[at + 5];
    if (!(validity instanceof asn1js.Sequence) || !(spki instanceof asn1js.Sequence)) return undefined;
    const [from, to] = validity.valueBlock.value;
    if (!(from instanceof asn1js.UTCTime) || !(to instanceof asn1js.UTCTime)) return undefined; // GeneralizedTime extends UTCTime
    const [alg, key] = spki.valueBlock.value;
    if (!(alg instanceof asn1js.Sequence) || !(key instanceof asn1js.BitString)) return undefined;
    const [algOid, curveOid] = alg.valueBlock.value;
    if (!(algOid instanceof asn1js.ObjectIdentifier) || algOid.getValue() !== EC_PUBLIC_KEY) return undefined;
    if (!(curveOid instanceof asn1js.ObjectIdentifier) || curveOid.getValue() !== SM2_CURVE) return undefined;
    const point = Buffer.from(key.valueBlock.valueHexView);
    if (point.length !== 65 || point[0] !== 0x04) return undefined;
    return {
      publicKeyHex: point.toString('hex'),
      notBefore: from.toDate(),
      notAfter: to.toDate(),
      tbsDer: Buffer.from(tbs.valueBeforeDecodeView),
      signatureDer: Buffer.from(sig.valueBlock.valueHexView),
    };
  } catch {
    return undefined;
  }
}
