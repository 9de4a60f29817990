import { createHash, createHmac } from 'node:crypto';

/** SM3 (GB/T 32905) through Node's OpenSSL, which implements it natively. */
export function sm3(data: Uint8Array | string): Buffer {
  return createHash('sm3').update(data).digest();
}

export function sm3Hex(data: Uint8Array | string): string {
  return createHash('sm3').update(data).digest('hex');
}

/** HMAC (RFC 2104) with SM3 as the hash: the keyed digest behind tokens, MACs and blind indexes. */
export function hmacSm3(key: Uint8Array, data: Uint8Array | string): Buffer {
  return createHmac('sm3', key).update(data).digest();
}

/**
 * Derives a sub-key for one purpose from a master key, so one configured secret can feed
 * encryption, authentication and indexing without ever reusing a key for two jobs.
 */
export function deriveKey(master: Uint8Array, purpose: string, length = 16): Buffer {
  return hmacSm3(master, `zhengzhao/${purpose}`).subarray(0, length);
}
