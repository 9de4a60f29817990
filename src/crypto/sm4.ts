import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { deriveKey, hmacSm3 } from './sm3.js';

/**
 * Authenticated SM4 (GB/T 32907): SM4-CTR for secrecy, then HMAC-SM3 over IV and ciphertext
 * (encrypt-then-MAC). OpenSSL 3.0 as shipped with Node offers no SM4-GCM, so the MAC is explicit.
 * Layout of a sealed value: iv (16) ‖ ciphertext ‖ tag (first 16 bytes of the HMAC).
 */
export class Sm4Box {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(masterKey: Uint8Array) {
    if (masterKey.length < 16) throw new Error('SM4 master key must have at least 16 bytes');
    this.encKey = deriveKey(masterKey, 'sm4-ctr', 16);
    this.macKey = deriveKey(masterKey, 'hmac-sm3', 32);
  }

  seal(plaintext: Uint8Array | string, aad: string = ''): Buffer {
    const iv = randomBytes(16);
    const cipher = createCipheriv('sm4-ctr', this.encKey, iv);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, body, this.tag(iv, body, aad)]);
  }

  /** Returns undefined when the value was altered, truncated, or sealed under another key. */
  open(sealed: Uint8Array, aad: string = ''): Buffer | undefined {
    if (sealed.length < 32) return undefined;
    const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    const iv = buf.subarray(0, 16);
    const body = buf.subarray(16, buf.length - 16);
    const tag = buf.subarray(buf.length - 16);
    if (!timingSafeEqual(tag, this.tag(iv, body, aad))) return undefined;
    const decipher = createDecipheriv('sm4-ctr', this.encKey, iv);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  }

  private tag(iv: Buffer, body: Buffer, aad: string): Buffer {
    const aadBytes = Buffer.from(aad, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(aadBytes.length);
    return hmacSm3(this.macKey, Buffer.concat([len, aadBytes, iv, body])).subarray(0, 16);
  }
}

/** Raw SM4-ECB of one block, exposed for checking the primitive against the GB/T 32907 vector. */
export function sm4EncryptBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const cipher = createCipheriv('sm4-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}
