import { randomBytes } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.js';
import { tokenBytes } from '../crypto/base64url.js';

export type FileFormat = 'pdf' | 'ofd';
export const FILE_FORMATS: readonly FileFormat[] = ['pdf', 'ofd'];

/** The terms of an annotated copy (加注件) that a download link promises. */
export interface CopyTerms {
  reason: string;
  /** Who asked for it: shown on the copy and kept in its metadata. */
  maker: string;
  /** When the copy stops being valid, epoch milliseconds. */
  expiresAt: number;
}

export interface FileTicket {
  certificateId: string;
  format: FileFormat;
  /** Expiry of the link, epoch seconds. */
  expires: number;
  /** Present when the link yields an annotated copy rather than the original. */
  copy?: CopyTerms;
}

export type TicketCheck = { ok: true; ticket: FileTicket } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Download URL tokens (national 7.4.3): the ticket is SM4-encrypted and SM3-authenticated under the
 * data keyring, so it reveals nothing (not even which certificate), and cannot be forged, altered or
 * extended; it expires after the configured lifetime (10 minutes by default). A copy's reason and
 * expiry travel inside the ticket, so what is downloaded is what was asked for.
 */
export class FileTickets {
  constructor(private readonly keys: Keyring, private readonly ttlSeconds: number) {}

  issue(certificateId: string, format: FileFormat, now = Date.now(), copy?: CopyTerms): string {
    const ticket = {
      c: certificateId, f: format, e: Math.floor(now / 1000) + this.ttlSeconds, n: randomBytes(6).toString('base64url'),
      ...(copy ? { r: copy.reason, m: copy.maker, x: copy.expiresAt } : {}),
    };
    return this.keys.sealJson(ticket, 'file-ticket').toString('base64url');
  }

  check(token: string, now = Date.now()): TicketCheck {
    if (!/^[A-Za-z0-9_-]{20,4096}$/.test(token)) return { ok: false, reason: 'invalid' };
    let t: { c?: unknown; f?: unknown; e?: unknown; r?: unknown; m?: unknown; x?: unknown };
    try {
      t = this.keys.openJson(tokenBytes(token), 'file-ticket');
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (typeof t.c !== 'string' || !FILE_FORMATS.includes(t.f as FileFormat) || typeof t.e !== 'number') return { ok: false, reason: 'invalid' };
    if (t.e * 1000 < now) return { ok: false, reason: 'expired' };
    const ticket: FileTicket = { certificateId: t.c, format: t.f as FileFormat, expires: t.e };
    if (typeof t.r === 'string' && typeof t.m === 'string' && typeof t.x === 'number') ticket.copy = { reason: t.r, maker: t.m, expiresAt: t.x };
    return { ok: true, ticket };
  }
}
