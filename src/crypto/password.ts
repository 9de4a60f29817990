import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password and secret hashing with scrypt (RFC 7914), memory-hard and built into Node: N = 2^14,
 * r = 8 uses 16 MiB per hash, so guessing in bulk is expensive. Stored as
 * `scrypt$N$r$p$salt$hash` (base64url), so the parameters can be raised later.
 */
const N = 16384;
const R = 8;
const P = 1;
const LEN = 32;

function derive(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret.normalize('NFC'), salt, LEN, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64url');
  const got = await derive(secret, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return got.length === want.length && timingSafeEqual(got, want);
}
