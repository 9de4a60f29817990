import { sm2 } from 'sm-crypto-v2';

/**
 * SM2 in JavaScript (sm-crypto-v2, on @noble/curves): the fallback when the OpenSSL addon is not
 * built, and what ZHENGZHAO_SM2=js selects. Same inputs and outputs as the native backend.
 */

// Z needs the public key; without it the library derives it from the private key on every call,
// a second scalar multiplication that makes signing almost three times slower.
const publicOf = new Map<string, string>();
// A public point with precomputed multiples verifies about six times faster; nodes verify with few keys.
const pointOf = new Map<string, ReturnType<typeof sm2.precomputePublicKey>>();

export function jsSign(message: Uint8Array, privateKeyHex: string, userId: string): Buffer {
  let publicKey = publicOf.get(privateKeyHex);
  if (!publicKey) {
    publicKey = sm2.getPublicKeyFromPrivateKey(privateKeyHex);
    if (publicOf.size > 64) publicOf.clear();
    publicOf.set(privateKeyHex, publicKey);
  }
  const sig = sm2.doSignature(message, privateKeyHex, { der: true, hash: true, userId, publicKey });
  return Buffer.from(sig, 'hex');
}

/**
 * DER SEQUENCE { r, s } with exact lengths and minimal positive integers. The library's own parser
 * ignores trailing bytes, so one signature would have many accepted encodings; OpenSSL takes one.
 */
function isStrictDer(sig: Uint8Array): boolean {
  if (sig.length < 8 || sig.length > 72 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) return false;
  let at = 2;
  for (let i = 0; i < 2; i++) {
    const len = sig[at + 1] ?? 0;
    if (sig[at] !== 0x02 || len < 1 || len > 33 || at + 2 + len > sig.length) return false;
    const first = sig[at + 2]!;
    if (first & 0x80 || (first === 0 && len > 1 && !(sig[at + 3]! & 0x80))) return false;
    at += 2 + len;
  }
  return at === sig.length;
}

/** The caller has checked the key's shape; malformed signatures may throw here. */
export function jsVerify(message: Uint8Array, signatureDer: Uint8Array, publicKeyHex: string, userId: string): boolean {
  if (!isStrictDer(signatureDer)) return false;
  const key = publicKeyHex.toLowerCase();
  let point = pointOf.get(key);
  if (!point) {
    point = sm2.precomputePublicKey(key);
    if (pointOf.size > 256) pointOf.clear();
    pointOf.set(key, point);
  }
  return sm2.doVerifySignature(message, Buffer.from(signatureDer).toString('hex'), point, { der: true, hash: true, userId });
}

const C1C3C2 = 1;

/** Raw 04 ‖ x ‖ y ‖ C3 ‖ C2; the library writes C1 without its 04. */
export function jsEncrypt(plaintext: Uint8Array, publicKeyHex: string): Buffer {
  return Buffer.from('04' + sm2.doEncrypt(plaintext, publicKeyHex, C1C3C2), 'hex');
}

export function jsDecrypt(ciphertext: Uint8Array, privateKeyHex: string): Buffer {
  if (ciphertext.length < 97 || ciphertext[0] !== 0x04) throw new Error('SM2 ciphertext must be 04 ‖ x ‖ y ‖ C3 ‖ C2');
  const out = sm2.doDecrypt(Buffer.from(ciphertext).subarray(1).toString('hex'), privateKeyHex, C1C3C2, { output: 'array' });
  // The library reports a C3 mismatch by returning a plain empty array, a real result is a Uint8Array.
  if (!(out instanceof Uint8Array)) throw new Error('SM2 decrypt failed: C3 does not match');
  return Buffer.from(out);
}
