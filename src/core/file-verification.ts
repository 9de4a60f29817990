import type { CertificateSummary } from '../domain/model.js';
import { verifiedState } from '../domain/model.js';
import { cstDate } from '../domain/dates.js';
import type { FileOutcome } from '../domain/file-outcome.js';
import { sniffFormat, type FileInspection } from './file-check.js';
import type { CertificateRepo } from '../store/certificates.js';
import type { CertificateTypeRepo } from '../store/certificate-types.js';
import { ReturnCode, ServiceError } from '../domain/return-codes.js';
import type { FileFormat } from './file-tickets.js';
import type { TrustedKeys } from './trusted-keys.js';
import type { CallContext, UsageRecorder } from './usage.js';

export type Inspector = (bytes: Buffer) => Promise<FileInspection> | FileInspection;
export type Inspectors = Record<FileFormat, Inspector>;

export interface FileVerdict {
  outcome: FileOutcome;
  format?: FileFormat;
  /** The certificate the file names, when it names one we hold. */
  certificate?: CertificateSummary;
  /** The certificate ID the file names, held here or not (where to ask when it is another region's). */
  namedId?: string;
  /** The file is an annotated copy: its terms as written in it. */
  copy?: { reason?: string; maker?: string; madeAt?: string; expiresAt?: string };
  signedAt?: string;
  /** Why, in English, for logs and detail fields. */
  problems: string[];
}

/**
 * Verification by file (Sichuan 6.5.2, Zaozhuang 4.3.5, Yangtze River Delta table 6): one check
 * behind all three. It asks, in order: is it a PDF or OFD; is it signed and unchanged since; is the
 * seal sound; is the signer a key we trust (at the time it signed); does it name a certificate we
 * hold, as we hold it; may that certificate be used today; and, for a copy, is the copy still valid.
 * Every check is recorded as a use.
 */
export class FileVerification {
  constructor(
    private readonly certs: CertificateRepo,
    private readonly trusted: TrustedKeys,
    private readonly usage: UsageRecorder,
    private readonly inspectors: () => Promise<Inspectors>,
    private readonly now: () => number = Date.now,
    /** Needed only to check an expected type (`expect.typeCode`). */
    private readonly types?: Pick<CertificateTypeRepo, 'get'>,
  ) {}

  /**
   * `expect.typeCode`: the caller says which type the file is (Zaozhuang 4.3.5 certTypeCode). An
   * unknown or unpublished type is refused (13, thrown before anything is recorded, as other
   * refusals are recorded by the adapter); a file of another type is `data-mismatch`.
   */
  async verify(ctx: CallContext, bytes: Buffer, declared?: FileFormat, expect: { typeCode?: string } = {}): Promise<FileVerdict> {
    if (expect.typeCode !== undefined) {
      const t = await this.types?.get(expect.typeCode);
      if (!t || t.status !== 'published') throw new ServiceError(ReturnCode.TypeNotFound, expect.typeCode);
    }
    const verdict = await this.check(bytes, declared, expect.typeCode);
    await this.usage.record({
      ...ctx, holderCode: verdict.certificate?.holder.code,
      certificateIds: verdict.certificate ? [verdict.certificate.id] : [], resultCode: `file:${verdict.outcome}`,
    });
    return verdict;
  }

  private async check(bytes: Buffer, declared?: FileFormat, typeCode?: string): Promise<FileVerdict> {
    const format = sniffFormat(bytes);
    if (!format) return { outcome: 'not-a-layout-file', problems: ['the bytes are neither a PDF nor a ZIP package'] };
    if (declared && declared !== format) return { outcome: 'format-mismatch', format, problems: [`declared ${declared}, the bytes are ${format}`] };
    const found = await (await this.inspectors())[format](bytes);
    const namedId = found.metadata?.certificateId;
    const base = { format, problems: found.problems, ...(found.signedAt ? { signedAt: found.signedAt } : {}), ...(namedId ? { namedId } : {}) };
    if (!found.signed) return { ...base, outcome: format === 'ofd' && !found.metadata ? 'not-a-layout-file' : 'unsigned' };
    if (!found.signatureValid) return { ...base, outcome: 'altered' };
    if (found.sealValid === false) return { ...base, outcome: 'seal-invalid' };
    if (!found.signerPublicKeyHex || !(await this.trusted.trusts(found.signerPublicKeyHex, found.signedAt))) {
      return { ...base, outcome: 'untrusted-signer', problems: [...found.problems, 'the signing key is not one this node trusts'] };
    }
    const id = found.metadata?.certificateId;
    const c = id ? await this.certs.get(id) : undefined;
    if (!c) return { ...base, outcome: 'unknown-certificate', problems: [...found.problems, `no certificate ${id ?? '(none named)'}`] };
    const withCert = { ...base, certificate: summary(c), ...(found.annotation ? { copy: copyOf(found.annotation) } : {}) };
    const m = found.metadata!;
    const differs = (['holderCode', 'typeCode', 'issuerCode'] as const).filter((k) => m[k] !== undefined && m[k] !== ({ holderCode: c.holder.code, typeCode: c.typeCode, issuerCode: c.issuer.code })[k]);
    if (typeCode !== undefined && c.typeCode !== typeCode && !differs.includes('typeCode')) differs.push('typeCode');
    if (differs.length > 0) return { ...withCert, outcome: 'data-mismatch', problems: [...found.problems, `differs from the store: ${differs.join(', ')}`] };
    switch (verifiedState(c, cstDate(new Date(this.now())))) {
      case 'draft': case 'not-yet-valid': return { ...withCert, outcome: 'not-activated' };
      case 'suspended': return { ...withCert, outcome: 'suspended' };
      case 'abolished': return { ...withCert, outcome: 'abolished' };
      case 'expired': return { ...withCert, outcome: 'expired' };
      case 'usable': break;
    }
    const until = found.annotation?.expiresAt ? Date.parse(found.annotation.expiresAt) : undefined;
    if (until !== undefined && (!Number.isFinite(until) || until < this.now())) return { ...withCert, outcome: 'copy-expired' };
    return { ...withCert, outcome: 'genuine' };
  }
}

function summary(c: CertificateSummary & { surface?: unknown; detail?: unknown }): CertificateSummary {
  const { surface: _s, detail: _d, ...rest } = c;
  return rest;
}

function copyOf(a: NonNullable<FileInspection['annotation']>): FileVerdict['copy'] {
  return { reason: a.reason, maker: a.maker, madeAt: a.madeAt, expiresAt: a.expiresAt };
}
