import { randomBytes } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.js';

export type FileFormat = 'pdf';

export interface FileTicket {
  certificateId: string;
  format: FileFormat;
  /** Expiry, epoch seconds. */
  expires: number;
}

export type TicketCheck = { ok: true; ticket: FileTicket } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Download URL tokens (national 7.4.3): the ticket is SM4-encrypted and SM3-authenticated under the
 * data keyring, so it reveals nothing (not even which certificate), and cannot be forged, altered or
 * extended; it expires after the configured lifetime (10 minutes by default).
 */
export class FileTickets {
  constructor(private readonly keys: Keyring, private readonly ttlSeconds: number) {}

  issue(certificateId: string, format: FileFormat, now = Date.now()): string {
    const ticket = { c: certificateId, f: format, e: Math.floor(now / 1000) + this.ttlSeconds, n: randomBytes(6).toString('base64url') };
    return this.keys.sealJson(ticket, 'file-ticket').toString('base64url');
  }

  check(token: string, now = Date.now()): TicketCheck {
    if (!/^[A-Za-z0-9_-]{20,2048}$/.test(token)) return { ok: false, reason: 'invalid' };
    let t: { c?: unknown; f?: unknown; e?: unknown };
    try {
      t = this.keys.openJson(Buffer.from(token, 'base64url'), 'file-ticket');
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (typeof t.c !== 'string' || t.f !== 'pdf' || typeof t.e !== 'number') return { ok: false, reason: 'invalid' };
    if (t.e * 1000 < now) return { ok: false, reason: 'expired' };
    return { ok: true, ticket: { certificateId: t.c, format: t.f, expires: t.e } };
  }
}
