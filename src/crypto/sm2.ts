import { createPrivateKey, createPublicKey } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import { jsDecrypt, jsEncrypt, jsSign, jsVerify } from './sm2-js.js';
import { loadNativeSm2 } from './sm2-native.js';

/**
 * SM2 signatures (GB/T 32918.2) with SM3 and the signer's user ID in Z, and SM2 encryption
 * (GB/T 32918.4, C1 ‖ C3 ‖ C2).
 *
 * Node's own crypto.sign() on an SM2 key computes Z with an EMPTY user ID and has no option to set
 * it, so its signatures neither check nor are checked by anyone using the standard default ID
 * 1234567812345678. The arithmetic runs in Node's OpenSSL through a small addon (sm2-native.ts),
 * 1.5 (sign) to 2.4 (verify) times as fast as JavaScript; without the addon, or with ZHENGZHAO_SM2=js, it runs in
 * sm-crypto-v2 (sm2-js.ts). Key encoding goes through Node's OpenSSL so the PEM files are exactly
 * what OpenSSL reads and writes.
 */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

const native = process.env.ZHENGZHAO_SM2 === 'js' ? null : loadNativeSm2();

/** Which implementation this thread uses. */
export const sm2Backend: 'openssl' | 'javascript' = native ? 'openssl' : 'javascript';

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

/** Returns the DER SEQUENCE { r INTEGER, s INTEGER }, as `openssl pkeyutl -sign` writes it. */
export function sm2Sign(message: Uint8Array, privateKeyHex: string, userId: string = SM2_DEFAULT_USER_ID): Buffer {
  return native ? native.sign(message, privateKeyHex, userId) : jsSign(message, privateKeyHex, userId);
}

/** False (never an exception) for malformed signatures or keys. */
export function sm2Verify(message: Uint8Array, signatureDer: Uint8Array, publicKeyHex: string, userId: string = SM2_DEFAULT_USER_ID): boolean {
  try {
    if (!/^04[0-9a-fA-F]{128}$/.test(publicKeyHex)) return false;
    return native ? native.verify(message, signatureDer, publicKeyHex, userId) : jsVerify(message, signatureDer, publicKeyHex, userId);
  } catch {
    return false;
  }
}

/**
 * Encrypts to the raw GM/T 0003.4 form 04 ‖ x1 ‖ y1 ‖ C3 (32) ‖ C2 (as long as the plaintext);
 * sm2-ciphertext.ts converts to and from the DER form OpenSSL writes.
 */
export function sm2Encrypt(plaintext: Uint8Array, publicKeyHex: string): Buffer {
  // OpenSSL refuses an empty message (and C2 would be empty); both backends refuse it alike.
  if (plaintext.length === 0) throw new Error('SM2 cannot encrypt an empty message');
  return native ? native.encrypt(plaintext, publicKeyHex) : jsEncrypt(plaintext, publicKeyHex);
}

/** Throws when the ciphertext is malformed or its C3 does not match. */
export function sm2Decrypt(ciphertext: Uint8Array, privateKeyHex: string): Buffer {
  if (ciphertext.length <= 97 || ciphertext[0] !== 0x04) throw new Error('SM2 ciphertext must be 04 ‖ x ‖ y ‖ C3 ‖ C2 with a non-empty C2');
  return native ? native.decrypt(ciphertext, privateKeyHex) : jsDecrypt(ciphertext, privateKeyHex);
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

/** The 32-byte private key (hex) of a PKCS#8 (or SEC1) SM2 PEM, read through OpenSSL: the d of its ECPrivateKey (02 01 01 04 20 ‖ d). */
export function sm2PrivateKeyFromPem(text: string): string {
  const der = createPrivateKey(text).export({ format: 'der', type: 'pkcs8' });
  const at = der.indexOf(Buffer.from('0201010420', 'hex'));
  if (at < 0) throw new Error('not an SM2 private key');
  return der.subarray(at + 5, at + 37).toString('hex');
}

/** PKCS#8 PEM of a private key (built as SEC1, converted by OpenSSL), readable by `openssl pkeyutl`. */
export function sm2PrivateKeyPem(privateKeyHex: string): string {
  const d = privateKeyHex.padStart(64, '0');
  const q = sm2PublicKeyFromPrivate(d);
  const sec1 = Buffer.from(`30770201010420${d}a00a${SM2_CURVE_OID}a144034200${q}`, 'hex');
  return createPrivateKey({ key: sec1, format: 'der', type: 'sec1' }).export({ format: 'pem', type: 'pkcs8' }) as string;
}
