import { createPrivateKey, createPublicKey } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';

/**
 * SM2 signatures (GB/T 32918.2) with SM3 and the signer's user ID in Z.
 *
 * Node's own crypto.sign() on an SM2 key computes Z with an EMPTY user ID and has no option to set
 * it, so its signatures neither check nor are checked by anyone using the standard default ID
 * 1234567812345678. The curve arithmetic here comes from sm-crypto-v2 (built on @noble/curves);
 * key encoding goes through Node's OpenSSL so the PEM files are exactly what OpenSSL reads and writes.
 */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

export interface Sm2KeyPair {
  /** 64 hex characters */
  privateKey: string;
  /** 130 hex characters: 04 ‖ x ‖ y */
  publicKey: string;
}

export function generateSm2KeyPair(): Sm2KeyPair {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  return { privateKey: privateKey.padStart(64, '0'), publicKey };
}

export function sm2PublicKeyFromPrivate(privateKeyHex: string): string {
  return sm2.getPublicKeyFromPrivateKey(privateKeyHex);
}

// Z needs the public key; without it the library derives it from the private key on every call,
// a second scalar multiplication that makes signing almost three times slower.
const publicOf = new Map<string, string>();
// A public point with precomputed multiples verifies about six times faster; nodes verify with few keys.
const pointOf = new Map<string, ReturnType<typeof sm2.precomputePublicKey>>();

/** Returns the DER SEQUENCE { r INTEGER, s INTEGER }, as `openssl pkeyutl -sign` writes it. */
export function sm2Sign(message: Uint8Array, privateKeyHex: string, userId: string = SM2_DEFAULT_USER_ID): Buffer {
  let publicKey = publicOf.get(privateKeyHex);
  if (!publicKey) {
    publicKey = sm2PublicKeyFromPrivate(privateKeyHex);
    if (publicOf.size > 64) publicOf.clear();
    publicOf.set(privateKeyHex, publicKey);
  }
  const sig = sm2.doSignature(message, privateKeyHex, { der: true, hash: true, userId, publicKey });
  return Buffer.from(sig, 'hex');
}

/** False (never an exception) for malformed signatures or keys. */
export function sm2Verify(message: Uint8Array, signatureDer: Uint8Array, publicKeyHex: string, userId: string = SM2_DEFAULT_USER_ID): boolean {
  try {
    if (!/^04[0-9a-fA-F]{128}$/.test(publicKeyHex)) return false;
    const key = publicKeyHex.toLowerCase();
    let point = pointOf.get(key);
    if (!point) {
      point = sm2.precomputePublicKey(key);
      if (pointOf.size > 256) pointOf.clear();
      pointOf.set(key, point);
    }
    return sm2.doVerifySignature(message, Buffer.from(signatureDer).toString('hex'), point, { der: true, hash: true, userId });
  } catch {
    return false;
  }
}

// DER prefixes for keys on sm2p256v1 (OID 1.2.156.10197.1.301) with id-ecPublicKey (1.2.840.10045.2.1).
const SM2_CURVE_OID = '06082a811ccf5501822d';
const SPKI_PREFIX = Buffer.from(`3059301306072a8648ce3d0201${SM2_CURVE_OID}034200`, 'hex');

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;

/** SubjectPublicKeyInfo PEM, as OpenSSL 3 writes it for an SM2 key. */
export function sm2PublicKeyPem(publicKeyHex: string): string {
  return pem('PUBLIC KEY', Buffer.concat([SPKI_PREFIX, Buffer.from(publicKeyHex, 'hex')]));
}

export function sm2PublicKeyFromPem(text: string): string {
  const der = createPublicKey(text).export({ format: 'der', type: 'spki' });
  if (!der.subarray(0, SPKI_PREFIX.length - 3).equals(SPKI_PREFIX.subarray(0, SPKI_PREFIX.length - 3))) throw new Error('not an SM2 public key');
  return der.subarray(der.length - 65).toString('hex');
}

/** PKCS#8 PEM of a private key (built as SEC1, converted by OpenSSL), readable by `openssl pkeyutl`. */
export function sm2PrivateKeyPem(privateKeyHex: string): string {
  const d = privateKeyHex.padStart(64, '0');
  const q = sm2PublicKeyFromPrivate(d);
  const sec1 = Buffer.from(`30770201010420${d}a00a${SM2_CURVE_OID}a144034200${q}`, 'hex');
  return createPrivateKey({ key: sec1, format: 'der', type: 'sec1' }).export({ format: 'pem', type: 'pkcs8' }) as string;
}
