import type { Certificate, CertificateSummary, CertificateType, VerifiedState } from '../domain/model.js';
import { usability, verifiedState } from '../domain/model.js';
import { ReturnCode, ServiceError } from '../domain/return-codes.js';
import { checkHolderCode, holderCodeType, isValidCitizenId, isValidCreditCode } from '../domain/holder-code.js';
import { parseCertificateId } from '../domain/identifier.js';
import { cstDate, parseDate, isLongTerm } from '../domain/dates.js';
import { copyProblem } from '../domain/annotation.js';
import type { CertificateRepo } from '../store/certificates.js';
import type { CertificateTypeRepo } from '../store/certificate-types.js';
import type { CallContext, UsageRecorder } from './usage.js';
import type { FileTickets, FileFormat, FileTicket, CopyTerms } from './file-tickets.js';
import type { EncryptedIds } from './encrypted-ids.js';
import { codeImage, symbologyMissing, type Symbology } from './qr-images.js';
import { callOf } from './reach/call.js';

export type { CallContext };

export interface HolderSelector {
  holderCode: string;
  /** Appendix B code type. */
  holderType?: string;
  /** Certificate type by name (the national interface names types by name) or by code. */
  typeName?: string;
  typeCode?: string;
  number?: string;
  /**
   * The only types the caller may see (a YRD trusted token's permission with its service item's
   * types): others are left out as if the holder had none. Undefined: no such limit.
   */
  allowedTypes?: readonly string[];
}

/**
 * A download link. One this node issued carries its ticket (`token`), which each dialect puts under
 * its own /files/ URL. One another node issued (the certificate's owner, reached through the hub)
 * carries that node's `url` as it came, to be passed on unchanged: the file is fetched from the
 * owner, who alone can open its ticket; `token` is then that URL's last segment and `expires` 0
 * (the owner's ticket is opaque here).
 */
export interface FileLink { certificate: CertificateSummary; format: FileFormat; token: string; expires: number; url?: string }

/** An encrypted certificate ID handed out for one certificate; times in epoch seconds. */
export interface EncryptedIdLink { certificate: CertificateSummary; encryptedId: string; issuedAt: number; expires: number }

/** Whether an encrypted ID stands: genuine, unexpired, naming a certificate that may be used today. */
export interface EncryptedIdVerdict {
  valid: boolean;
  /** Why not, when not. */
  problem?: 'invalid' | 'expired' | 'not-found' | 'abolished' | 'certificate-expired' | 'suspended';
}

/** Certificate data compared by verification (national appendix G). Dates in any accepted form. */
export interface VerifyClaim {
  typeName: string;
  name?: string;
  number: string;
  holderName: string;
  holderCode: string;
  holderType?: string;
  issuerName: string;
  issuerCode?: string;
  issueDate: string;
  validFrom?: string;
  validTo?: string;
}

/**
 * A verification by fields where the caller names only what it wants compared (Zaozhuang 4.3.4:
 * the fields are agreed per calling unit). Holder and type find the candidates; only the
 * attributes and surface values given are compared.
 */
export interface FieldsClaim {
  holderCode: string;
  holderType?: string;
  typeCode?: string;
  typeName?: string;
  /** Canonical attributes the caller states; absent or empty ones are not compared. */
  attributes: Partial<VerifyClaim>;
  /** Surface values by the type's column names. */
  surface: Readonly<Record<string, string>>;
}

/**
 * What a verification by fields concludes. `incomplete`: nothing comparable was given, or some
 * stated field is one the certificate does not carry (it can be neither confirmed nor denied).
 */
export type ClaimCheck =
  | { outcome: 'incomplete'; uncheckable: string[] }
  | { outcome: 'no-match' }
  | { outcome: 'match'; certificate: CertificateSummary; usability: VerifiedState };

/**
 * The most certificates one whole-list answer carries (a holder call of the national interface
 * has no paging): the newest first. Paged calls (dataByHolderPage) have no such cap.
 */
export const HOLDER_LIST_CAP = 500;

/** National appendix A: "UseFor … 不超过 200 字". */
export const MAX_REASON_LENGTH = 200;

/** The rule a stated reason obeys (12 when missing but required, or longer than 200 characters), for uses outside this service too. */
export function checkReason(reason: string | undefined, required: boolean): void {
  const r = reason?.trim() ?? '';
  if (required && r === '') throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['reason']);
  if ([...r].length > MAX_REASON_LENGTH) {
    throw new ServiceError(ReturnCode.RequiredMissing, `exceeds ${MAX_REASON_LENGTH} characters (申请事由不超过200字)`, ['reason']);
  }
}

/**
 * The reason a call states to the next node. A caller whose interface asks none (reasonNotAsked)
 * is said to have stated none, in words the next node records: its own interface requires UseFor.
 */
export function onwardReason(ctx: CallContext): string | undefined {
  return ctx.reason?.trim() || (ctx.reasonNotAsked ? REASON_NOT_ASKED : ctx.reason);
}

/** What a node records, and passes on, as the reason of a caller whose interface has no reason field. */
export const REASON_NOT_ASKED = '未说明（调用接口无事由字段）';

/**
 * The sharing use cases: retrieval, structured data, file links and verification. Every call is
 * recorded (and committed) before its result goes back to the adapter, whatever the outcome.
 */
export class SharingService {
  constructor(
    private readonly certs: CertificateRepo,
    private readonly types: CertificateTypeRepo,
    private readonly usage: UsageRecorder,
    private readonly tickets: FileTickets,
    private readonly encryptedIds: EncryptedIds,
    /** How long an annotated copy handed out by a download stays valid. */
    private readonly copyValidDays: number = 30,
    private readonly today: () => string = () => cstDate(new Date()),
    private readonly now: () => number = Date.now,
  ) {}

  retrieve(ctx: CallContext, sel: HolderSelector): Promise<CertificateSummary[]> {
    return this.recorded(ctx, sel.holderCode, async () => {
      this.checkReason(ctx, false);
      const list = (await this.byHolder(sel, false, false)) as CertificateSummary[];
      const visible = list.filter((c) => c.status !== 'abolished');
      if (visible.length === 0) throw new ServiceError(ReturnCode.NotFound);
      return { result: visible, ids: visible.map((c) => c.id) };
    });
  }

  dataByHolder(ctx: CallContext, sel: HolderSelector): Promise<Certificate[]> {
    return this.recorded(ctx, sel.holderCode, async () => {
      this.checkReason(ctx, true);
      const list = this.usableOrThrow((await this.byHolder(sel, true, true)) as Certificate[]);
      return { result: list, ids: list.map((c) => c.id) };
    });
  }

  /**
   * One page of a holder's usable certificates with their data, and how many there are in all
   * (Zaozhuang 4.3.7 Page and Size). Paged in the query: every usable one is counted from the
   * catalog facts, and only the page's certificates are opened.
   */
  dataByHolderPage(ctx: CallContext, sel: HolderSelector, page: { index: number; size: number }): Promise<{ total: number; items: Certificate[] }> {
    return this.recorded(ctx, sel.holderCode, async () => {
      this.checkReason(ctx, true);
      const all = this.usableOrThrow((await this.byHolder(sel, true, false, false, null)) as CertificateSummary[]);
      const items = await this.certs.getMany(all.slice((page.index - 1) * page.size, page.index * page.size).map((c) => c.id));
      return { result: { total: all.length, items }, ids: items.map((c) => c.id) };
    });
  }

  dataById(ctx: CallContext, id: string): Promise<Certificate> {
    return this.recorded(ctx, undefined, async (seen) => {
      this.checkReason(ctx, true);
      const c = await this.byId(id, seen);
      this.assertUsable(c);
      return { result: c, ids: [c.id], holderCode: c.holder.code };
    });
  }

  /**
   * Download links. A call that states its purpose (every national download does) gets an annotated
   * copy (加注件) bearing that purpose, the caller and an expiry; the original is what issuing keeps.
   */
  filesByHolder(ctx: CallContext, sel: HolderSelector, format: FileFormat = 'pdf'): Promise<FileLink[]> {
    return this.recorded(ctx, sel.holderCode, async () => {
      this.checkReason(ctx, true);
      const list = this.usableOrThrow((await this.byHolder(sel, true, false)) as CertificateSummary[]);
      const links = list.map((c) => this.link(c, format, ctx));
      return { result: links, ids: list.map((c) => c.id) };
    });
  }

  /**
   * The link to one certificate's file. `copyExpiresAt` (epoch ms) sets when the annotated copy stops
   * being valid, where the caller chooses it (Zaozhuang expiryTime); otherwise the node's default.
   * A copy that would already be expired is refused (24) before anything is looked up.
   */
  fileById(ctx: CallContext, id: string, format: FileFormat = 'pdf', copyExpiresAt?: number): Promise<FileLink> {
    return this.recorded(ctx, undefined, async (seen) => {
      this.checkReason(ctx, true);
      if (copyExpiresAt !== undefined && copyProblem({ reason: ctx.reason ?? '', expiresAt: copyExpiresAt }, this.now()) === 'expiry-past') {
        throw new ServiceError(ReturnCode.Unparseable, 'the copy would already be expired (加注件有效期截止时间已过)', ['copyExpiry']);
      }
      const c = await this.byId(id, seen);
      this.assertUsable(c);
      return { result: this.link(c, format, ctx, copyExpiresAt), ids: [c.id], holderCode: c.holder.code };
    });
  }

  /**
   * Encrypted IDs for a holder's usable certificates, optionally of one type or number: each names
   * one certificate for a short while, for a holder to show (亮证) or a clerk to pass on.
   */
  encryptedIdsByHolder(ctx: CallContext, sel: HolderSelector): Promise<EncryptedIdLink[]> {
    return this.recorded(ctx, sel.holderCode, async () => {
      this.checkReason(ctx, false);
      const list = this.usableOrThrow((await this.byHolder(sel, false, false)) as CertificateSummary[]);
      const now = this.now();
      const links = list.map((c) => {
        const { encryptedId, grant } = this.encryptedIds.issue(c.id, now);
        return { certificate: c, encryptedId, issuedAt: grant.issuedAt, expires: grant.expires };
      });
      return { result: links, ids: list.map((c) => c.id) };
    });
  }

  /** The download link of the certificate an encrypted ID names (an annotated copy when the call states its purpose). */
  fileByEncryptedId(ctx: CallContext, encryptedId: string, format: FileFormat = 'pdf'): Promise<FileLink> {
    return this.recorded(ctx, undefined, async (seen) => {
      this.checkReason(ctx, true);
      const c = await this.byEncryptedId(encryptedId, seen);
      this.assertUsable(c);
      return { result: this.link(c, format, ctx), ids: [c.id], holderCode: c.holder.code };
    });
  }

  /** Checks an encrypted ID; a forged, altered or expired one, or one of an unusable certificate, is not valid. */
  verifyEncryptedId(ctx: CallContext, encryptedId: string): Promise<EncryptedIdVerdict> {
    return this.recorded<EncryptedIdVerdict>(ctx, undefined, async (seen) => {
      this.checkReason(ctx, false);
      if (!encryptedId?.trim()) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['encryptedId']);
      const check = this.encryptedIds.check(encryptedId, this.now());
      if (!check.ok) return { result: { valid: false, problem: check.reason }, ids: [] };
      const c = await this.certs.get(check.grant.certificateId);
      if (!c || c.status === 'draft') return { result: { valid: false, problem: 'not-found' as const }, ids: [] };
      seen.holderCode = c.holder.code;
      const state = usability(c, this.today());
      const problem = state === 'usable' ? undefined : state === 'expired' ? 'certificate-expired' as const : state === 'draft' ? 'not-found' as const : state;
      return { result: problem ? { valid: false, problem } : { valid: true }, ids: [c.id], holderCode: c.holder.code };
    });
  }

  /**
   * An encrypted ID drawn as a two-dimensional code, once it is known to be genuine and unexpired
   * (a code of a forged or stale ID would only mislead whoever scans it). QR only: Grid Matrix has
   * no encoder here and is refused as a service this node does not provide.
   */
  encryptedIdImage(ctx: CallContext, encryptedId: string, symbology: Symbology): Promise<Buffer> {
    return this.recorded(ctx, undefined, async (seen) => {
      this.checkReason(ctx, false);
      const missing = symbologyMissing(symbology);
      if (missing) throw new ServiceError(ReturnCode.ServiceNotProvided, `${missing}; ask for QR`, ['symbology']);
      const c = await this.byEncryptedId(encryptedId, seen);
      return { result: await codeImage(encryptedId.trim().toUpperCase(), symbology), ids: [c.id], holderCode: c.holder.code };
    });
  }

  /**
   * Finds the certificate the claim names (holder, type, number) and compares every field given.
   * Returns whether they all match; a certificate that cannot be used answers 21/22/23 instead.
   */
  verify(ctx: CallContext, claim: VerifyClaim, required: readonly ClaimField[] = NATIONAL_REQUIRED_CLAIM): Promise<boolean> {
    return this.recorded(ctx, claim.holderCode, async () => {
      this.checkReason(ctx, false);
      requireClaimFields(claim, required);
      const candidates = (await this.byHolder(
        { holderCode: claim.holderCode, holderType: claim.holderType, typeName: claim.typeName || undefined, number: claim.number || undefined },
        required.includes('typeName'), false,
      )) as CertificateSummary[];
      // Where the claim leaves the type or number out, the holder may have several candidates: the
      // claim stands if one of them (a usable one first) matches every field given.
      const today = this.today();
      const matching = candidates.filter((c) => matches(c, claim));
      const c = matching.find((m) => usability(m, today) === 'usable') ?? matching[0] ?? candidates[0];
      if (!c) throw new ServiceError(ReturnCode.NotFound);
      // Holder and type only say which certificate is meant: with nothing about it stated there is
      // nothing to confirm, and "true" would only say the holder has one (DB51/T 2942 table 11).
      if (!statesSomething(claim)) throw new ServiceError(ReturnCode.RequiredMissing, 'no field of the certificate to compare', ['claim']);
      this.assertUsable(c);
      return { result: matching.includes(c), ids: [c.id] };
    });
  }

  /**
   * Verification by the fields a caller chooses to state (Zaozhuang 4.3.4). Unknown type 13, bad
   * holder code 14, unreadable dates 24; otherwise an outcome, never a refusal for the
   * certificate's state: the caller asked what that state is.
   */
  checkClaim(ctx: CallContext, claim: FieldsClaim): Promise<ClaimCheck> {
    return this.recorded<ClaimCheck>(ctx, claim.holderCode, async () => {
      this.checkReason(ctx, false);
      const a = claim.attributes;
      for (const k of ['issueDate', 'validFrom', 'validTo'] as const) {
        const v = a[k]?.trim();
        if (v && parseDate(v) === undefined && !(k === 'validTo' && isLongTerm(v))) {
          throw new ServiceError(ReturnCode.Unparseable, `not a date: ${v}`, [`claim.${k}`]);
        }
      }
      const surfaceKeys = Object.keys(claim.surface).filter((k) => claim.surface[k]!.trim() !== '');
      const candidates = (await this.byHolder(
        { holderCode: claim.holderCode, holderType: claim.holderType, typeCode: claim.typeCode, typeName: claim.typeName, number: a.number?.trim() || undefined },
        true, surfaceKeys.length > 0, true,
      )) as Certificate[];
      // Holder and type only say which certificate is meant: something about it must be stated too.
      const stated = Object.entries(a).filter(([k, v]) => v !== undefined && v.trim() !== '' && !['holderCode', 'holderType', 'typeName'].includes(k));
      if (stated.length === 0 && surfaceKeys.length === 0) return { result: { outcome: 'incomplete', uncheckable: [] }, ids: [] };
      const today = this.today();
      const full: VerifyClaim = {
        typeName: a.typeName ?? '', name: a.name, number: a.number ?? '', holderName: a.holderName ?? '',
        holderCode: a.holderCode ?? claim.holderCode, holderType: a.holderType, issuerName: a.issuerName ?? '', issuerCode: a.issuerCode,
        issueDate: a.issueDate ?? '', validFrom: a.validFrom, validTo: a.validTo,
      };
      const uncheckable = new Set<string>();
      const matching: CertificateSummary[] = [];
      for (const c of candidates) {
        if (!matches(c, full)) continue;
        const surface = new Map((c.surface ?? []).map((v) => [v.columnName, v.value]));
        const absent = surfaceKeys.filter((k) => !surface.has(k));
        if (surfaceKeys.some((k) => surface.has(k) && surface.get(k)!.trim() !== claim.surface[k]!.trim())) continue;
        if (absent.length > 0) { absent.forEach((k) => uncheckable.add(k)); continue; }
        matching.push(c);
      }
      if (matching.length === 0) {
        return uncheckable.size > 0
          ? { result: { outcome: 'incomplete', uncheckable: [...uncheckable] }, ids: [] }
          : { result: { outcome: 'no-match' }, ids: [] };
      }
      // Several certificates may fit what was stated; the most usable one answers. A draft, or one
      // whose validity has not begun, is there but not yet in force (4.3.4 result 1).
      const rank: Record<VerifiedState, number> = { usable: 0, suspended: 1, 'not-yet-valid': 2, draft: 2, expired: 3, abolished: 4 };
      const best = matching.map((c) => ({ c, u: verifiedState(c, today) })).sort((x, y) => rank[x.u] - rank[y.u])[0]!;
      const { surface: _s, detail: _d, ...summary } = best.c as Certificate;
      return { result: { outcome: 'match', certificate: summary, usability: best.u }, ids: [best.c.id], holderCode: best.c.holder.code };
    });
  }

  async listTypes(ctx: CallContext): Promise<CertificateType[]> {
    return this.recorded(ctx, undefined, async () => {
      const list = (await this.types.list('published')).filter((t) => t.isOpen);
      return { result: list, ids: [] };
    });
  }

  /** Opens a download ticket and returns the certificate it grants, if it still may be used. */
  async redeemTicket(ctx: CallContext, token: string): Promise<{ certificate: Certificate; ticket: FileTicket }> {
    const check = this.tickets.check(token);
    if (!check.ok) {
      await this.usage.record({ ...ctx, certificateIds: [], resultCode: check.reason === 'expired' ? 'expired-link' : 'invalid-link' });
      throw new TicketError(check.reason);
    }
    return this.recorded(ctx, undefined, async (seen) => {
      const c = await this.byId(check.ticket.certificateId, seen);
      this.assertUsable(c);
      return { result: { certificate: c, ticket: check.ticket }, ids: [c.id], holderCode: c.holder.code };
    });
  }

  /** Records a call refused before it reached a use case (authentication, unreadable request). */
  async recordRefusal(ctx: CallContext, code: string, holderCode?: string): Promise<void> {
    await callOf(ctx).record(this.usage.record({ ...ctx, holderCode, certificateIds: [], resultCode: code }));
  }

  /**
   * Records a call this node passed on to another node (`upstream` names it) and the answer it got:
   * the use happened here too, on behalf of this node's caller.
   */
  async recordRelayed(ctx: CallContext, upstream: string, resultCode: string, certificateIds: string[] = [], holderCode?: string): Promise<void> {
    await callOf(ctx).record(this.usage.record({ ...ctx, context: { ...ctx.context, relayedTo: upstream }, holderCode, certificateIds, resultCode }));
  }

  /**
   * A holder's catalog entries (drafts excluded, any other state) after the same checks the holder
   * calls make: the reason when `need.reason`, the holder code, and the type (required when
   * `need.type`). Not recorded: the router uses it to find whose certificates they are before it
   * sends the call on, and records what it does with them.
   */
  async holderEntries(ctx: CallContext, sel: HolderSelector, need: { reason: boolean; type: boolean }): Promise<CertificateSummary[]> {
    this.checkReason(ctx, need.reason);
    return (await this.byHolder(sel, need.type, false)) as CertificateSummary[];
  }

  /** One catalog entry by certificate ID after the checks of the ID calls (reason, identifier format); not recorded. 10 when absent. */
  async entry(ctx: CallContext, id: string, need: { reason: boolean }): Promise<CertificateSummary> {
    this.checkReason(ctx, need.reason);
    const { surface: _s, detail: _d, ...summary } = await this.byId(id, {});
    return summary;
  }

  // ---- rules shared by every call ----

  private checkReason(ctx: CallContext, required: boolean): void {
    checkReason(ctx.reason, required && !ctx.reasonNotAsked);
  }

  private async resolveTypes(sel: HolderSelector, required: boolean): Promise<string[] | undefined> {
    // A caller limited to some types has named its scope: no type need be named besides.
    const named = await this.namedTypes(sel, required && !sel.allowedTypes);
    if (!sel.allowedTypes) return named;
    const allowed = new Set(sel.allowedTypes);
    return (named ?? [...allowed]).filter((t) => allowed.has(t));
  }

  private async namedTypes(sel: HolderSelector, required: boolean): Promise<string[] | undefined> {
    if (sel.typeCode) {
      const t = await this.types.get(sel.typeCode);
      if (!t || t.status !== 'published') throw new ServiceError(ReturnCode.TypeNotFound, sel.typeCode);
      return [t.code];
    }
    if (sel.typeName) {
      const found = (await this.types.findByName(sel.typeName)).filter((t) => t.status === 'published');
      if (found.length === 0) throw new ServiceError(ReturnCode.TypeNotFound, sel.typeName);
      return found.map((t) => t.code);
    }
    if (required) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['typeName']);
    return undefined;
  }

  private checkHolder(sel: HolderSelector): void {
    if (!sel.holderCode.trim()) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['holderCode']);
    if (sel.holderType !== undefined && sel.holderType !== '') {
      if (!holderCodeType(sel.holderType)) throw new ServiceError(ReturnCode.BadHolderCodeType, `unknown holder code type ${sel.holderType}`);
      const check = checkHolderCode(sel.holderType, sel.holderCode);
      if (!check.ok) throw new ServiceError(ReturnCode.BadHolderCodeType, check.message);
      return;
    }
    // Without a type, an 18-character code shaped like a citizen ID must still carry a valid check digit.
    if (/^\d{17}[\dXx]$/.test(sel.holderCode) && !isValidCitizenId(sel.holderCode) && !isValidCreditCode(sel.holderCode)) {
      throw new ServiceError(ReturnCode.BadHolderCodeType, 'holder code fails its GB 11643 check digit');
    }
  }

  /**
   * A holder's certificates. `limit`: the cap of a whole-list answer (HOLDER_LIST_CAP, what one
   * national answer carries); null for a paged query, which opens no content beyond its page.
   */
  private async byHolder(sel: HolderSelector, typeRequired: boolean, withContent: boolean, withDrafts = false, limit: number | null = HOLDER_LIST_CAP) {
    this.checkHolder(sel);
    const typeCodes = await this.resolveTypes(sel, typeRequired);
    return this.certs.findByHolder(
      { holderCode: sel.holderCode, holderType: sel.holderType || undefined, typeCodes, number: sel.number || undefined, withDrafts },
      withContent, limit,
    );
  }

  private async byId(id: string, seen: Seen): Promise<Certificate> {
    if (!id || !id.trim()) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['certificateId']);
    const parsed = parseCertificateId(id.trim());
    if (!parsed.ok) throw new ServiceError(ReturnCode.NotFound, `malformed certificate identifier: ${parsed.message}`);
    const c = await this.certs.get(id.trim());
    if (!c || c.status === 'draft') throw new ServiceError(ReturnCode.NotFound);
    seen.holderCode = c.holder.code;
    seen.certificateId = c.id;
    return c;
  }

  private async byEncryptedId(encryptedId: string, seen: Seen): Promise<Certificate> {
    if (!encryptedId?.trim()) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['encryptedId']);
    const check = this.encryptedIds.check(encryptedId, this.now());
    if (!check.ok) {
      throw new ServiceError(ReturnCode.Unparseable, check.reason === 'expired' ? 'has expired' : 'is not genuine (forged, altered or truncated)', ['encryptedId']);
    }
    return this.byId(check.grant.certificateId, seen);
  }

  private assertUsable(c: Pick<Certificate, 'status' | 'validTo'>): void {
    switch (usability(c, this.today())) {
      case 'abolished': throw new ServiceError(ReturnCode.Abolished);
      case 'expired': throw new ServiceError(ReturnCode.Expired);
      case 'suspended': throw new ServiceError(ReturnCode.Restricted);
      case 'draft': throw new ServiceError(ReturnCode.NotFound);
      case 'usable': return;
    }
  }

  /** The usable ones; when none is usable but some exist, the reason of the newest one. */
  private usableOrThrow<T extends CertificateSummary>(list: T[]): T[] {
    const today = this.today();
    const usable = list.filter((c) => usability(c, today) === 'usable');
    if (usable.length > 0) return usable;
    if (list[0]) this.assertUsable(list[0]);
    throw new ServiceError(ReturnCode.NotFound);
  }

  private link(c: CertificateSummary, format: FileFormat, ctx: CallContext, copyExpiresAt?: number): FileLink {
    const now = this.now();
    const copy: CopyTerms | undefined = ctx.reason?.trim()
      ? { reason: ctx.reason.trim(), maker: ctx.operator ?? ctx.accountId ?? ctx.dialect, expiresAt: copyExpiresAt ?? now + this.copyValidDays * 86_400_000 }
      : undefined;
    const token = this.tickets.issue(c.id, format, now, copy);
    const check = this.tickets.check(token, now);
    return { certificate: c, format, token, expires: check.ok ? check.ticket.expires : 0 };
  }

  /** Runs a use case and records the use (committed) before returning or rethrowing. */
  private async recorded<T>(
    ctx: CallContext,
    holderCode: string | undefined,
    fn: (seen: Seen) => Promise<{ result: T; ids: string[]; holderCode?: string }>,
  ): Promise<T> {
    let out: { result: T; ids: string[]; holderCode?: string };
    const seen: Seen = {};
    try {
      out = await fn(seen);
    } catch (err) {
      const code = err instanceof ServiceError ? err.code : ReturnCode.Other;
      const call = callOf(ctx);
      await call.record(this.usage.record({
        ...ctx, holderCode: seen.holderCode ?? (holderCode || undefined),
        certificateIds: seen.certificateId ? [seen.certificateId] : [], resultCode: code,
      }));
      call.noteRecorded(err);
      throw err;
    }
    await callOf(ctx).record(this.usage.record({ ...ctx, holderCode: out.holderCode ?? (holderCode || undefined), certificateIds: out.ids, resultCode: ReturnCode.Success }));
    return out.result;
  }
}

/** What a use case found before it refused: recorded with the refusal. */
interface Seen { holderCode?: string; certificateId?: string }

/** Marks an error whose use has been recorded on its call, so no adapter records it a second time. */
export function markRecorded(ctx: CallContext, err: unknown): void {
  callOf(ctx).noteRecorded(err);
}

/** Whether the core already recorded the use of this call that failed with this error (adapters record the rest). */
export function wasRecorded(ctx: CallContext, err: unknown): boolean {
  return callOf(ctx).wasRecorded(err);
}

export class TicketError extends Error {
  constructor(readonly reason: 'invalid' | 'expired') {
    super(reason === 'expired' ? 'download link expired' : 'download link invalid');
  }
}


export type ClaimField = keyof VerifyClaim;

/** Appendix G.1 marks these as required (必填); other interfaces may require fewer (DB51/T 2942 table 11: the holder code only). */
export const NATIONAL_REQUIRED_CLAIM: readonly ClaimField[] = ['typeName', 'number', 'holderName', 'holderCode', 'issuerName', 'issueDate'];

/** The claim's required fields (12 naming each missing one) and a readable issue date (24). */
export function requireClaimFields(claim: VerifyClaim, required: readonly ClaimField[]): void {
  const missing = required.filter((k) => (claim[k] ?? '').trim() === '').map((k) => `claim.${k}`);
  if (missing.length > 0) throw new ServiceError(ReturnCode.RequiredMissing, undefined, missing);
  const issued = claim.issueDate?.trim();
  if (issued && parseDate(issued) === undefined) throw new ServiceError(ReturnCode.Unparseable, `not a date: ${issued}`, ['claim.issueDate']);
}

/** Whether a claim states anything about the certificate besides who holds it and its type. */
function statesSomething(claim: VerifyClaim): boolean {
  return Object.entries(claim).some(([k, v]) => !['holderCode', 'holderType', 'typeName'].includes(k) && typeof v === 'string' && v.trim() !== '');
}

/** Field-by-field comparison; dates compare as calendar dates whatever their written form. */
function matches(c: CertificateSummary, claim: VerifyClaim): boolean {
  const same = (a: string | undefined, b: string | undefined) => b === undefined || b.trim() === '' || (a ?? '').trim() === b.trim();
  const sameDate = (stored: string | undefined, given: string | undefined, longTermWhenEmpty: boolean) => {
    if (given === undefined || given.trim() === '') return true;
    if (isLongTerm(given)) return longTermWhenEmpty && stored === undefined;
    const d = parseDate(given);
    return d !== undefined && d === stored;
  };
  return (
    same(c.typeName, claim.typeName) && same(c.name, claim.name) && same(c.number, claim.number) &&
    same(c.holder.name, claim.holderName) && same(c.holder.code, claim.holderCode) && same(c.holder.codeType, claim.holderType) &&
    same(c.issuer.name, claim.issuerName) && same(c.issuer.code, claim.issuerCode) &&
    sameDate(c.issueDate, claim.issueDate, false) && sameDate(c.validFrom, claim.validFrom, false) && sameDate(c.validTo, claim.validTo, true)
  );
}
