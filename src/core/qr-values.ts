import { parseCertificateId } from '../domain/identifier.js';
import { ReturnCode, ServiceError } from '../domain/return-codes.js';
import type { EncryptedIds } from './encrypted-ids.js';

/** Reads a certificate identifier out of a scanned QR value, or says it is not its kind of value. */
export type QrDecoder = (value: string) => string | undefined | Promise<string | undefined>;

/**
 * What a scanned QR code on a certificate says (Zaozhuang 4.3.6 qrValue, and the QR interfaces of
 * the other dialects): decoders tried in order until one recognises the value. Built in: the
 * codes on this platform's own files, which hold `<public URL>/verify/<certificate ID>` (any
 * node's: identifiers are global), and a bare GB/T 36904 identifier. The composition root adds
 * Sichuan's encrypted IDs (DB51/T 2942 6.4.3), the content of its QR codes (6.4.4).
 */
export class QrValues {
  private readonly decoders: { name: string; decode: QrDecoder }[] = [];

  constructor() {
    this.register('verify-url', verifyUrlDecoder);
    this.register('certificate-id', (v) => (parseCertificateId(v).ok ? v : undefined));
  }

  register(name: string, decode: QrDecoder): void {
    this.decoders.push({ name, decode });
  }

  /** The certificate identifier a QR value names; 24 when no decoder recognises it. */
  async resolve(value: string): Promise<string> {
    const v = value.trim();
    if (v === '') throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['qrValue']);
    if (v.length <= 4096) {
      for (const d of this.decoders) {
        const id = await d.decode(v);
        if (id) return id;
      }
    }
    throw new ServiceError(ReturnCode.Unparseable, 'not a certificate QR code this node can read', ['qrValue']);
  }
}

/** `http(s)://host[:port][/prefix]/verify/<identifier, URL-encoded>`, as CertificateFiles prints it. */
function verifyUrlDecoder(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const m = /\/verify\/([^/]+)\/?$/.exec(url.pathname);
  if (!m) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
  return parseCertificateId(id).ok ? id : undefined;
}

/** Teaches the QR values Sichuan's encrypted IDs (DB51/T 2942 6.4.3): what its QR codes (6.4.4) hold, while in date. */
export function withEncryptedIds(qr: QrValues, encryptedIds: EncryptedIds): QrValues {
  qr.register('sichuan-encrypted-id', (v) => {
    const check = encryptedIds.check(v);
    return check.ok ? check.grant.certificateId : undefined;
  });
  return qr;
}
