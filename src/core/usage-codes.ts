import { randomBytes } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.js';
import { tokenBytes } from '../crypto/base64url.js';

/**
 * A usage code (用证码, Beijing auth_code): the right to use one certificate for a while. A code
 * made for a clerk (by service item) is bound to that clerk's account and item; a code made for the
 * holder (psn_holder) is bound to no account: the holder shows it, and the clerk who scans it names
 * the item, which must be allowed to use the certificate's type.
 */
export interface UsageCode {
  certificateId: string;
  /** The account that may redeem it; undefined for a holder's code. */
  account?: string;
  itemCode?: string;
  /** Whether sensitive fields were granted unmasked. */
  sensitive: boolean;
  /** Epoch seconds. */
  expires: number;
}

/** A certificate access token (Beijing license_access_token): opens the H5 views of one certificate. */
export interface AccessGrant {
  certificateId: string;
  viewer: string;
  sensitive: boolean;
  expires: number;
}

export type CodeCheck<T> = { ok: true; value: T } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Both are sealed with SM4 and authenticated with HMAC-SM3 under the data keyring (as download
 * tickets are): they reveal nothing, cannot be forged, altered or extended, and need no storage.
 */
export class UsageCodes {
  constructor(private readonly keys: Keyring, private readonly codeTtlSeconds: number, private readonly accessTtlSeconds: number) {}

  issueCode(c: Omit<UsageCode, 'expires'>, now = Date.now()): UsageCode & { code: string } {
    const expires = Math.floor(now / 1000) + this.codeTtlSeconds;
    const code = this.seal('usage-code', { c: c.certificateId, a: c.account, i: c.itemCode, s: c.sensitive ? 1 : 0, e: expires });
    return { ...c, expires, code };
  }

  checkCode(code: string, now = Date.now()): CodeCheck<UsageCode> {
    const o = this.open(code, 'usage-code', now);
    if (!o.ok) return o;
    const v = o.value;
    if (typeof v.c !== 'string') return { ok: false, reason: 'invalid' };
    return { ok: true, value: { certificateId: v.c, account: v.a as string | undefined, itemCode: v.i as string | undefined, sensitive: v.s === 1, expires: v.e as number } };
  }

  issueAccess(g: Omit<AccessGrant, 'expires'>, now = Date.now()): AccessGrant & { token: string } {
    const expires = Math.floor(now / 1000) + this.accessTtlSeconds;
    return { ...g, expires, token: this.seal('access-token', { c: g.certificateId, v: g.viewer, s: g.sensitive ? 1 : 0, e: expires }) };
  }

  checkAccess(token: string, now = Date.now()): CodeCheck<AccessGrant> {
    const o = this.open(token, 'access-token', now);
    if (!o.ok) return o;
    const v = o.value;
    if (typeof v.c !== 'string' || typeof v.v !== 'string') return { ok: false, reason: 'invalid' };
    return { ok: true, value: { certificateId: v.c, viewer: v.v, sensitive: v.s === 1, expires: v.e as number } };
  }

  private seal(purpose: string, payload: Record<string, unknown>): string {
    return this.keys.sealJson({ ...payload, n: randomBytes(4).toString('base64url') }, purpose).toString('base64url');
  }

  private open(token: string, purpose: string, now: number): CodeCheck<Record<string, unknown>> {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{20,4096}$/.test(token)) return { ok: false, reason: 'invalid' };
    let v: Record<string, unknown>;
    try {
      v = this.keys.openJson(tokenBytes(token), purpose);
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (typeof v.e !== 'number') return { ok: false, reason: 'invalid' };
    if (v.e * 1000 < now) return { ok: false, reason: 'expired' };
    return { ok: true, value: v };
  }
}
