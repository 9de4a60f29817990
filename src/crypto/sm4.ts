import { createCipheriv, createHmac, randomFillSync, timingSafeEqual, type Cipher } from 'node:crypto';
import { deriveKey } from './sm3.js';
import { framedAt, nativeSm4SealMany, type Framed } from './batch.js';

/**
 * Authenticated SM4 (GB/T 32907): SM4-CTR for secrecy, then HMAC-SM3 over IV and ciphertext
 * (encrypt-then-MAC). OpenSSL 3.0 as shipped with Node offers no SM4-GCM, so the MAC is explicit.
 * Layout of a sealed value: iv (16) ‖ ciphertext ‖ tag (first 16 bytes of the HMAC).
 */
export class Sm4Box {
  private readonly macKey: Buffer;
  /**
   * SM4-CTR computed as OpenSSL does (the 16-byte IV a big-endian counter, incremented per block),
   * from one long-lived ECB context: creating a CTR context per value costs more than encrypting it,
   * and a catalog of a million rows seals two values per row.
   */
  private readonly ecb: Cipher;
  private readonly ctrKey: Buffer;

  constructor(masterKey: Uint8Array) {
    if (masterKey.length < 16) throw new Error('SM4 master key must have at least 16 bytes');
    this.ctrKey = deriveKey(masterKey, 'sm4-ctr', 16);
    this.ecb = createCipheriv('sm4-ecb', this.ctrKey, null);
    this.ecb.setAutoPadding(false);
    this.macKey = deriveKey(masterKey, 'hmac-sm3', 32);
  }

  seal(plaintext: Uint8Array | string, aad: string = ''): Buffer {
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const out = Buffer.allocUnsafe(16 + data.length + 16);
    randomIv(out);
    const iv = out.subarray(0, 16);
    const body = out.subarray(16, 16 + data.length);
    this.ctr(iv, data, body);
    this.tag(iv, body, aad).copy(out, 16 + data.length);
    return out;
  }

  /**
   * Many values at once, each `prefix ‖ seal(plain[i], aad[i])`, one after another (each is
   * prefix + 32 bytes longer than its plaintext). In the addon when it is built: one key setup for
   * the batch instead of one HMAC context per value.
   */
  sealMany(prefix: Uint8Array, plain: Framed, aad: Framed, backend: 'auto' | 'javascript' = 'auto'): Buffer {
    if (plain.ends.length !== aad.ends.length) throw new Error('sealMany: as many AADs as plaintexts');
    const native = backend === 'auto' ? nativeSm4SealMany() : null;
    if (native) return native(this.ctrKey, this.macKey, prefix, plain.data, plain.ends, aad.data, aad.ends);
    const out = Buffer.allocUnsafe(plain.ends.length * (prefix.length + 32) + plain.data.length);
    let at = 0;
    for (let i = 0; i < plain.ends.length; i++) {
      out.set(prefix, at);
      at += prefix.length;
      at += this.seal(framedAt(plain, i), Buffer.from(framedAt(aad, i)).toString('utf8')).copy(out, at);
    }
    return out;
  }

  /** Returns undefined when the value was altered, truncated, or sealed under another key. */
  open(sealed: Uint8Array, aad: string = ''): Buffer | undefined {
    if (sealed.length < 32) return undefined;
    const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    const iv = buf.subarray(0, 16);
    const body = buf.subarray(16, buf.length - 16);
    const tag = buf.subarray(buf.length - 16);
    if (!timingSafeEqual(tag, this.tag(iv, body, aad))) return undefined;
    return this.ctr(iv, body, Buffer.allocUnsafe(body.length));
  }

  /** XORs `data` with the SM4-CTR keystream from `iv` into `out` (encryption and decryption alike). */
  private ctr(iv: Uint8Array, data: Uint8Array, out: Buffer): Buffer {
    const blocks = Math.ceil(data.length / 16);
    if (blocks === 0) return out;
    const counters = Buffer.allocUnsafe(blocks * 16);
    const c = Buffer.from(iv);
    for (let b = 0; b < blocks; b++) {
      c.copy(counters, b * 16);
      for (let i = 15; i >= 0; i--) if (++c[i]! <= 255) break; else c[i] = 0;
    }
    const stream = this.ecb.update(counters);
    for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ stream[i]!;
    return out;
  }

  /** HMAC-SM3 over len(aad) ‖ aad ‖ iv ‖ ciphertext, first 16 bytes. */
  private tag(iv: Uint8Array, body: Uint8Array, aad: string): Buffer {
    const aadBytes = Buffer.from(aad, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(aadBytes.length);
    return createHmac('sm3', this.macKey).update(len).update(aadBytes).update(iv).update(body).digest().subarray(0, 16);
  }
}

/** IVs come from a pool filled by the CSPRNG in one call, rather than one call per value. */
const pool = Buffer.allocUnsafe(4096);
let poolAt = pool.length;
function randomIv(into: Buffer): void {
  if (poolAt + 16 > pool.length) { randomFillSync(pool); poolAt = 0; }
  pool.copy(into, 0, poolAt, poolAt + 16);
  pool.fill(0, poolAt, poolAt + 16);
  poolAt += 16;
}

/** Raw SM4-ECB of one block, exposed for checking the primitive against the GB/T 32907 vector. */
export function sm4EncryptBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const cipher = createCipheriv('sm4-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}
