import type { Certificate, CertificateSummary, CertificateType, Usability } from '../domain/model.js';
import { usability } from '../domain/model.js';
import { checkHolderCode, inferHolderCodeType } from '../domain/holder-code.js';
import { maskCertificate } from '../domain/mask.js';
import { cstDate } from '../domain/dates.js';
import type { CertificateRepo } from '../store/certificates.js';
import type { CertificateTypeRepo } from '../store/certificate-types.js';
import type { ServiceItem, ServiceItemRepo } from '../store/service-items.js';
import type { CallContext, UsageRecorder } from './usage.js';
import type { AccessGrant, UsageCode, UsageCodes } from './usage-codes.js';
import type { CertificateFiles } from './certificate-files.js';
import type { FileFormat } from './file-tickets.js';
import { itemMayUse } from './service-items.js';

export type UsingProblem =
  | 'no-item' | 'item-name' | 'item-not-allowed' | 'bad-identity' | 'bad-code' | 'expired-code' | 'not-yours'
  | 'not-found' | 'abolished' | 'expired' | 'suspended' | 'too-many';

/** Why a use was refused, in the core's words; each dialect words it its own way. */
export class UsingError extends Error {
  constructor(readonly problem: UsingProblem, readonly detail = '') {
    super(detail ? `${problem}: ${detail}` : problem);
  }
}

/** The clerk (or system user) using certificates: who the codes and views are bound to. */
export interface Viewer { account: string; name: string; sensitiveAccess: boolean }
export interface Page { index: number; size: number }
export interface Coded { certificate: Certificate; code: string; expires: number }
export interface Listing { total: number; items: Coded[] }
export interface View { certificate: Certificate; status: Usability; viewer: string; expires: number }

/** At most this many identity numbers in one `auth` call. */
const MAX_IDENTITIES = 50;

/**
 * Using certificates on the issuing side (Beijing 6.7-6.8): listings that give each certificate a
 * usage code, the exchange of a code for an access token, the data and the archive file behind a
 * code, and the views an access token opens. Sensitive fields stay masked unless the call asks for
 * them and the viewer is entitled. Every call is recorded, refused or not.
 */
export class UsingService {
  constructor(
    private readonly certs: CertificateRepo,
    private readonly types: CertificateTypeRepo,
    private readonly items: ServiceItemRepo,
    private readonly usage: UsageRecorder,
    private readonly codes: UsageCodes,
    private readonly files: CertificateFiles,
    private readonly today: () => string = () => cstDate(new Date()),
  ) {}

  /** A holder's usable certificates, each with a holder's usage code (psn_holder). */
  listForHolder(ctx: CallContext, holderCode: string, page: Page): Promise<Listing> {
    return this.recorded(ctx, holderCode, async () => {
      checkIdentity(holderCode);
      const all = await this.usableOf(holderCode, undefined);
      return this.page(all, page, (c) => this.codes.issueCode({ certificateId: c.id, sensitive: false }), false);
    });
  }

  /** What the holders may use for a service item, each with a usage code bound to the viewer and item (auth). */
  listForItem(ctx: CallContext, viewer: Viewer, itemName: string, identityNumbers: string[], showSensitive: boolean, page: Page): Promise<Listing> {
    return this.recorded(ctx, identityNumbers[0], async () => {
      const item = await this.item(ctx.itemCode ?? '', itemName);
      if (identityNumbers.length === 0) throw new UsingError('bad-identity', 'none given');
      if (identityNumbers.length > MAX_IDENTITIES) throw new UsingError('too-many', String(MAX_IDENTITIES));
      for (const n of identityNumbers) checkIdentity(n);
      const sensitive = showSensitive && viewer.sensitiveAccess;
      const all = (await Promise.all([...new Set(identityNumbers)].map((n) => this.usableOf(n, item.typeCodes)))).flat();
      return this.page(all, page, (c) => this.codes.issueCode({ certificateId: c.id, account: viewer.account, itemCode: item.code, sensitive }), sensitive);
    });
  }

  /** A usage code for an access token (token, get_token_qr). */
  accessToken(ctx: CallContext, viewer: Viewer, code: string, itemName?: string): Promise<AccessGrant & { token: string }> {
    return this.recorded(ctx, undefined, async (seen) => {
      const { use, certificate } = await this.redeem(ctx, viewer, code, itemName, seen);
      return { result: this.codes.issueAccess({ certificateId: certificate.id, viewer: viewer.name || viewer.account, sensitive: use.sensitive }), ids: [certificate.id] };
    });
  }

  /** The certificate behind a usage code (get_license, get_license_qr). */
  certificate(ctx: CallContext, viewer: Viewer, code: string, itemName?: string): Promise<Certificate> {
    return this.recorded(ctx, undefined, async (seen) => {
      const { use, certificate, type } = await this.redeem(ctx, viewer, code, itemName, seen);
      return { result: use.sensitive ? certificate : maskCertificate(certificate, type), ids: [certificate.id] };
    });
  }

  /** The layout file behind a usage code, for the case file (archive_qr). */
  archive(ctx: CallContext, viewer: Viewer, code: string, itemName: string, format: FileFormat = 'pdf'): Promise<{ fileName: string; bytes: Buffer }> {
    return this.recorded(ctx, undefined, async (seen) => {
      const { certificate } = await this.redeem(ctx, viewer, code, itemName, seen);
      return { result: { fileName: `${certificate.id}.${format}`, bytes: await this.files.original(certificate, format) }, ids: [certificate.id] };
    });
  }

  /** What an access token opens (view_license, view_mobile): the certificate, masked unless granted, and its status. */
  async view(ctx: CallContext, token: string): Promise<View> {
    const check = this.codes.checkAccess(token);
    if (!check.ok) {
      await this.usage.record({ ...ctx, certificateIds: [], resultCode: check.reason === 'expired' ? 'expired-token' : 'invalid-token' });
      throw new UsingError(check.reason === 'expired' ? 'expired-code' : 'bad-code');
    }
    const g = check.value;
    return this.recorded({ ...ctx, operator: ctx.operator ?? g.viewer }, undefined, async (seen) => {
      const c = await this.certs.get(g.certificateId);
      if (!c || c.status === 'draft') throw new UsingError('not-found');
      seen.holderCode = c.holder.code;
      const type = (await this.types.get(c.typeCode))!;
      return { result: { certificate: g.sensitive ? c : maskCertificate(c, type), status: usability(c, this.today()), viewer: g.viewer, expires: g.expires }, ids: [c.id] };
    });
  }

  // ---- shared rules ----

  private async item(code: string, name: string | undefined): Promise<ServiceItem> {
    const item = await this.items.get(code);
    if (!item) throw new UsingError('no-item', code);
    if (name !== undefined && item.name !== name) throw new UsingError('item-name', item.name);
    return item;
  }

  /**
   * A holder's usable certificates as catalog facts, every one (the listing counts them all and
   * pages them): no content is opened for a certificate outside the page asked for.
   */
  private async usableOf(holderCode: string, typeCodes: string[] | undefined): Promise<CertificateSummary[]> {
    const list = (await this.certs.findByHolder({ holderCode, typeCodes }, false, null)) as CertificateSummary[];
    const today = this.today();
    return list.filter((c) => usability(c, today) === 'usable');
  }

  private async page(all: CertificateSummary[], page: Page, code: (c: Certificate) => UsageCode & { code: string }, sensitive: boolean) {
    const slice = await this.certs.getMany(all.slice((page.index - 1) * page.size, page.index * page.size).map((c) => c.id));
    const types = new Map<string, CertificateType>();
    for (const c of slice) if (!types.has(c.typeCode)) types.set(c.typeCode, (await this.types.get(c.typeCode))!);
    const items = slice.map((c) => {
      const issued = code(c);
      return { certificate: sensitive ? c : maskCertificate(c, types.get(c.typeCode)!), code: issued.code, expires: issued.expires };
    });
    return { result: { total: all.length, items }, ids: slice.map((c) => c.id) };
  }

  /**
   * Checks a usage code for this viewer: an account-bound code only for its account, and an item
   * named by the call must exist and be allowed to use the certificate's type.
   */
  private async redeem(ctx: CallContext, viewer: Viewer, code: string, itemName: string | undefined, seen: Seen) {
    const check = this.codes.checkCode(code);
    if (!check.ok) throw new UsingError(check.reason === 'expired' ? 'expired-code' : 'bad-code');
    const use = check.value;
    seen.certificateId = use.certificateId;
    if (use.account !== undefined && use.account !== viewer.account) throw new UsingError('not-yours');
    const c = await this.certs.get(use.certificateId);
    if (!c || c.status === 'draft') throw new UsingError('not-found');
    seen.holderCode = c.holder.code;
    if (ctx.itemCode) {
      const item = await this.item(ctx.itemCode, itemName);
      if (!itemMayUse(item, c.typeCode)) throw new UsingError('item-not-allowed', `${item.code} → ${c.typeCode}`);
      if (use.itemCode !== undefined && use.itemCode !== item.code) throw new UsingError('not-yours', 'another service item');
    }
    const state = usability(c, this.today());
    if (state === 'abolished' || state === 'expired' || state === 'suspended') throw new UsingError(state);
    const type = (await this.types.get(c.typeCode))!;
    return { use, certificate: c, type };
  }

  private async recorded<T>(ctx: CallContext, holderCode: string | undefined, fn: (seen: Seen) => Promise<{ result: T; ids: string[] }>): Promise<T> {
    const seen: Seen = {};
    try {
      const out = await fn(seen);
      await this.usage.record({ ...ctx, holderCode: seen.holderCode ?? holderCode, certificateIds: out.ids, resultCode: 'SUCCESS' });
      return out.result;
    } catch (err) {
      const code = err instanceof UsingError ? err.problem : 'error';
      await this.usage.record({ ...ctx, holderCode: seen.holderCode ?? holderCode, certificateIds: seen.certificateId ? [seen.certificateId] : [], resultCode: code });
      throw err;
    }
  }
}

interface Seen { holderCode?: string; certificateId?: string }

/** An identity number: a citizen ID (GB 11643) or a unified social credit code (GB 32100), check digit included. */
function checkIdentity(n: string): void {
  const type = inferHolderCodeType(n);
  if (!type) throw new UsingError('bad-identity', n);
  const check = checkHolderCode(type, n);
  if (!check.ok) throw new UsingError('bad-identity', n);
}
