import type { Keyring } from '../crypto/keyring.js';

/** What an encrypted certificate ID opens to. */
export interface EncryptedIdGrant {
  certificateId: string;
  /** When it was made, epoch seconds (the "时间戳" the ID carries). */
  issuedAt: number;
  /** Until when it may be used, epoch seconds. */
  expires: number;
}

export type EncryptedIdCheck = { ok: true; grant: EncryptedIdGrant } | { ok: false; reason: 'invalid' | 'expired' };

/** The GB/T 36904 root every certificate identifier starts with; left out of the sealed bytes. */
const ID_ROOT = '1.2.156.3005.2.';
const CONTEXT = 'encrypted-id';
const FLAG_ROOTED = 1;
/** RFC 4648 base32: upper-case letters and digits only, which a QR code packs in alphanumeric mode. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SHAPE = /^[A-Z2-7]{40,400}$/;
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/**
 * Encrypted certificate IDs (加密电子证照标识, DB51/T 2942 6.4.3): "证照标识+时间戳", sealed with SM4 and
 * authenticated with HMAC-SM3 under the data keyring, like download tickets. The value names no
 * certificate and no holder in the clear, cannot be forged or altered (a changed byte fails the tag),
 * and stops opening once its lifetime has passed, however often it is replayed.
 *
 * It is meant to be shown as a QR code, so it is kept small: a flag byte, a 4-byte timestamp and the
 * identifier without its constant root are sealed (about 100 bytes with the key id, IV and tag), then
 * written in base32, whose 32 characters are all in the QR alphanumeric set (5.5 bits a character
 * instead of 8 for base64 in byte mode): about 157 characters, a version 7 symbol (45×45 modules)
 * at error correction level M.
 * The lifetime is applied when the ID is opened, so it is the node's current setting.
 */
export class EncryptedIds {
  constructor(private readonly keys: Keyring, private readonly ttlSeconds: number) {}

  issue(certificateId: string, now = Date.now()): { encryptedId: string; grant: EncryptedIdGrant } {
    const issuedAt = Math.floor(now / 1000);
    const rooted = certificateId.startsWith(ID_ROOT);
    const id = Buffer.from(rooted ? certificateId.slice(ID_ROOT.length) : certificateId, 'utf8');
    const plain = Buffer.alloc(5 + id.length);
    plain[0] = rooted ? FLAG_ROOTED : 0;
    plain.writeUInt32BE(issuedAt, 1);
    id.copy(plain, 5);
    const encryptedId = base32(this.keys.seal(plain, CONTEXT));
    return { encryptedId, grant: { certificateId, issuedAt, expires: issuedAt + this.ttlSeconds } };
  }

  check(encryptedId: string, now = Date.now()): EncryptedIdCheck {
    const text = typeof encryptedId === 'string' ? encryptedId.trim().toUpperCase() : '';
    if (!SHAPE.test(text)) return { ok: false, reason: 'invalid' };
    const sealed = unbase32(text);
    if (!sealed) return { ok: false, reason: 'invalid' };
    let plain: Buffer;
    try {
      plain = this.keys.open(sealed, CONTEXT);
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (plain.length < 6 || (plain[0]! & ~FLAG_ROOTED) !== 0) return { ok: false, reason: 'invalid' };
    const issuedAt = plain.readUInt32BE(1);
    const id = plain.subarray(5).toString('utf8');
    const grant = { certificateId: plain[0] === FLAG_ROOTED ? ID_ROOT + id : id, issuedAt, expires: issuedAt + this.ttlSeconds };
    // Stamped in the future (beyond a minute of clock skew between nodes sharing keys): not ours to honour.
    if (issuedAt * 1000 > now + 60_000) return { ok: false, reason: 'invalid' };
    if (grant.expires * 1000 <= now) return { ok: false, reason: 'expired' };
    return { ok: true, grant };
  }
}

function base32(bytes: Buffer): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/** Only the canonical spelling: trailing bits must be zero, so no two strings open to the same value. */
function unbase32(text: string): Buffer | undefined {
  const out = Buffer.allocUnsafe(Math.floor((text.length * 5) / 8));
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    acc = (acc << 5) | VALUE[text.charCodeAt(i)]!;
    bits += 5;
    if (bits >= 8) {
      out[n++] = (acc >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits >= 5 || acc !== 0) return undefined;
  return out;
}
