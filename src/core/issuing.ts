import type { Db, Queryable } from '../store/db.js';
import type { Keyring } from '../crypto/keyring.js';
import type { Certificate, CertificateType } from '../domain/model.js';
import { issuableProblem, readIssuedFields, type FieldProblem } from '../domain/issue-fields.js';
import { signedBytes } from '../domain/canonical.js';
import { cstDate } from '../domain/dates.js';
import type { CertificateRepo } from '../store/certificates.js';
import type { CertificateTypeRepo } from '../store/certificate-types.js';
import type { ServiceItem, ServiceItemRepo } from '../store/service-items.js';
import { recordEvent, recordEvents, type CertificateEvent, type LifecycleAction } from '../store/certificate-events.js';
import type { Signer } from './signer.js';
import type { NodeKeys } from './node-keys.js';
import type { CertificateFiles } from './certificate-files.js';
import { checkCode, newCertificateId } from './identifiers.js';
import type { CatalogFeed } from './aggregation/feed.js';
import type { UsageRecorder } from './usage.js';
import type { SealService } from './seals.js';
import { authorityProblem, itemOutsideDivision, type AuthorityProblem, type WriteCaller } from './write-authority.js';
import { itemMayUse } from './service-items.js';

export type { WriteCaller };

/** The person making a lifecycle write (Beijing UserInfo), in the core's words. */
export interface OperatorInfo {
  account: string;
  name: string;
  identityNum?: string;
  role?: string;
  serviceOrg?: string;
  division?: string;
  divisionCode?: string;
}

/** What every lifecycle write carries and records: who, for which service item, in which case. */
export interface WriteContext {
  operator: OperatorInfo;
  itemCode: string;
  itemName: string;
  bizNum?: string;
  /** The logged-in account the call came through, when a session carries it. */
  sessionAccount?: string;
  /** Who the call came through, as authenticated: the only thing the rule of who may write reads. */
  caller: WriteCaller;
  /** How a refused write is named in the usage log: the dialect and its interface, the client's address. */
  call?: { dialect: string; interface: string; clientIp?: string; correlationId?: string };
}

export type IssuingProblem =
  | 'no-type' | 'type-not-issuable' | 'no-item' | 'item-name' | 'item-not-allowed' | 'invalid-fields'
  | 'not-found' | 'wrong-type' | 'number-mismatch' | 'not-draft' | 'not-issued' | 'duplicate' | 'batch-size' | 'seal' | AuthorityProblem;

const AUTHORITY_PROBLEMS: ReadonlySet<IssuingProblem> = new Set<AuthorityProblem>(['not-issuer', 'not-maker', 'outside-division']);

/** Why a lifecycle write was refused, in the core's words; each dialect words it its own way. */
export class IssuingError extends Error {
  constructor(readonly problem: IssuingProblem, readonly detail = '', readonly fields: FieldProblem[] = []) {
    super(detail ? `${problem}: ${detail}` : problem);
  }
}

export interface Issued { id: string; checkCode: string }
export interface DraftOptions { sealCode?: string; licenseGroup?: string }

/**
 * Issuing and the certificate lifecycle (Beijing 6.4-6.5): drafts are created, edited and deleted;
 * signing turns a draft into an issued certificate; a change abolishes the original and issues its
 * successor; an abolished certificate answers 21 everywhere. An issued certificate is never edited
 * or deleted. Every write checks the service item and who may write the certificate (write-authority.ts),
 * and records who made it in the same transaction; a write refused for want of authority is recorded
 * in the usage log.
 */
export class IssuingService {
  constructor(
    private readonly db: Db,
    private readonly keys: Keyring,
    private readonly certs: CertificateRepo,
    private readonly types: CertificateTypeRepo,
    private readonly items: ServiceItemRepo,
    private readonly nodeKeys: NodeKeys,
    private readonly files: CertificateFiles,
    /** The front DB report of every write that changes what is shared, in the write's transaction. */
    private readonly feed: CatalogFeed,
    /** Where refused writes are recorded. */
    private readonly usage: UsageRecorder,
    /** Checks a write's seal code against the issuing organisation's seals. */
    private readonly seals: Pick<SealService, 'sealCodeProblem'>,
  ) {}

  /** A new draft from submitted data fields. */
  async create(typeCode: string, fields: unknown, ctx: WriteContext, opts: DraftOptions = {}): Promise<Issued> {
    const { type, item } = await this.check(typeCode, ctx);
    const draft = this.draftFrom(type, item, fields, ctx, opts, 1);
    return this.guarded(ctx, 'create', draft.id, () => this.db.transaction(async (tx) => {
      this.authorise(ctx, item, draft);
      await this.checkSeal(item, opts.sealCode);
      await this.insertNew(draft, tx);
      await this.event(tx, draft.id, 'create', ctx);
      return { id: draft.id, checkCode: checkCode(this.keys, draft.id) };
    }));
  }

  /** A draft made inside a caller's transaction, after check(): the step a batch create repeats. */
  async createInTransaction(tx: Queryable, type: CertificateType, item: ServiceItem, fields: unknown, ctx: WriteContext, opts: DraftOptions = {}): Promise<Issued> {
    const draft = this.draftFrom(type, item, fields, ctx, opts, 1);
    this.authorise(ctx, item, draft);
    await this.insertNew(draft, tx);
    await this.event(tx, draft.id, 'create', ctx);
    return { id: draft.id, checkCode: checkCode(this.keys, draft.id) };
  }

  /** Replaces a draft's data; the identifier stays. */
  async update(typeCode: string, id: string, fields: unknown, ctx: WriteContext, opts: DraftOptions = {}): Promise<void> {
    const { type, item } = await this.check(typeCode, ctx);
    await this.guarded(ctx, 'update', id, () => this.db.transaction(async (tx) => {
      const current = await this.locked(tx, type, id);
      this.authorise(ctx, item, current);
      if (current.status !== 'draft') throw new IssuingError('not-draft', current.status);
      const next = { ...this.draftFrom(type, item, fields, ctx, opts, current.version), id, sealCode: opts.sealCode ?? current.sealCode,
        licenseGroup: opts.licenseGroup ?? current.licenseGroup, madeByApp: current.madeByApp };
      this.authorise(ctx, item, next);
      await this.checkSeal(item, opts.sealCode);
      try {
        await this.certs.updateDraft(next, tx);
      } catch (err) {
        throw uniqueViolation(err) ? new IssuingError('duplicate', next.number) : err;
      }
      await this.event(tx, id, 'update', ctx);
    }));
  }

  /** Deletes a draft; an issued certificate is abolished instead, never deleted. */
  async delete(typeCode: string, id: string, ctx: WriteContext, number?: string): Promise<void> {
    const { type, item } = await this.check(typeCode, ctx);
    await this.guarded(ctx, 'delete', id, () => this.db.transaction(async (tx) => {
      const current = await this.locked(tx, type, id, number);
      this.authorise(ctx, item, current);
      if (current.status !== 'draft') throw new IssuingError('not-draft', current.status);
      await this.certs.deleteDraft(id, tx);
      await this.event(tx, id, 'delete', ctx);
    }));
  }

  /** Draft → issued: signs the structured data and produces the layout file. */
  async sign(typeCode: string, id: string, ctx: WriteContext, number?: string): Promise<Certificate> {
    const { type, item } = await this.check(typeCode, ctx);
    this.files.checkRoom();
    const signed = await this.guarded(ctx, 'sign', id, () => this.db.transaction(async (tx) => {
      const current = await this.locked(tx, type, id, number);
      this.authorise(ctx, item, current);
      if (current.status !== 'draft') throw new IssuingError('not-draft', current.status);
      const issued = await this.signLocked(tx, type, current, ctx);
      await this.feed.record(tx, [{ operation: 'I', cert: issued }]);
      return issued;
    }));
    // The layout files are made off the request path; a download that comes first waits for them.
    this.files.schedule(signed);
    return signed;
  }

  /**
   * Signs drafts inside a caller's transaction, skipping any that is no longer a draft: the step a
   * batch repeats, safe to run again after a crash. Answers, per id, the id or why it was not signed;
   * the caller records the refusals (recordRefusals) once its transaction is over.
   */
  async signInTransaction(tx: Queryable, type: CertificateType, item: ServiceItem, ids: string[], ctx: WriteContext, signer: Signer): Promise<(string | IssuingProblem)[]> {
    // One read, one signing pass (worker threads for big chunks), one update and one event insert per chunk.
    const found = new Map((await this.certs.getManyForUpdate(ids, tx)).map((c) => [c.id, c]));
    const outcome: (string | IssuingProblem)[] = ids.map((id) => {
      const c = found.get(id);
      if (!c || c.typeCode !== type.code) return 'not-found';
      const problem = authorityProblem(ctx.caller, item, c);
      if (problem) {
        found.delete(id);
        return problem;
      }
      return c.status === 'draft' ? id : 'not-draft';
    });
    const drafts = [...new Set(outcome.filter((o): o is string => found.has(o)))].map((id) => this.issuedForm(type, found.get(id)!));
    const signatures = await signer.signMany(drafts.map((d) => signedBytes(d)));
    const marked = new Set(await this.certs.markIssuedMany(drafts.map((d, i) => ({ id: d.id, issueDate: d.issueDate, digitalSign: signatures[i]!.signature, signKeyId: signatures[i]!.kid })), tx));
    await recordEvents(tx, [...marked].map((id) => this.eventOf(id, 'sign', ctx)));
    await this.feed.record(tx, drafts.filter((d) => marked.has(d.id)).map((d) => ({ operation: 'I' as const, cert: d })));
    return outcome.map((o) => (found.has(o) && !marked.has(o) ? 'not-draft' : o));
  }

  /** Starts making the originals of certificates a batch signed while the pool has room; the rest are made on first download. */
  async scheduleFiles(ids: string[]): Promise<void> {
    for (const id of ids) {
      if (!this.files.hasRoom()) return;
      const c = await this.certs.get(id);
      if (c?.status === 'issued') this.files.schedule(c);
    }
  }

  /**
   * Abolishes the original and issues its successor with the changed data, linked both ways; the
   * successor keeps the type and gets the next version.
   */
  async change(typeCode: string, id: string, fields: unknown, ctx: WriteContext, number?: string): Promise<Issued> {
    const { type, item } = await this.check(typeCode, ctx);
    this.files.checkRoom();
    const successor = await this.guarded(ctx, 'change', id, () => this.db.transaction(async (tx) => {
      const current = await this.locked(tx, type, id, number);
      this.authorise(ctx, item, current);
      if (current.status !== 'issued' && current.status !== 'suspended') throw new IssuingError('not-issued', current.status);
      const draft = { ...this.draftFrom(type, item, fields, ctx, { sealCode: current.sealCode, licenseGroup: current.licenseGroup }, current.version + 1),
        predecessorId: id };
      this.authorise(ctx, item, draft);
      await this.insertNew(draft, tx);
      const issued = await this.signLocked(tx, type, draft, ctx, 'change');
      if (!(await this.certs.markAbolished(id, '变更', draft.id, tx))) throw new IssuingError('not-issued', current.status);
      await this.event(tx, id, 'abolish', ctx, { reason: '变更', relatedId: draft.id });
      await this.feed.record(tx, [{ operation: 'D', cert: current }, { operation: 'I', cert: issued }]);
      return issued;
    }));
    this.files.schedule(successor);
    return { id: successor.id, checkCode: checkCode(this.keys, successor.id) };
  }

  /** Issued → abolished, with a reason. */
  async abolish(typeCode: string, id: string, ctx: WriteContext, reason: string, number?: string): Promise<void> {
    const { type, item } = await this.check(typeCode, ctx);
    await this.guarded(ctx, 'abolish', id, () => this.db.transaction(async (tx) => {
      const current = await this.locked(tx, type, id, number);
      this.authorise(ctx, item, current);
      if (!(await this.certs.markAbolished(id, reason, undefined, tx))) throw new IssuingError('not-issued', current.status);
      await this.event(tx, id, 'abolish', ctx, { reason });
      await this.feed.record(tx, [{ operation: 'D', cert: current }]);
    }));
  }

  /** The type and service item of a write, checked: the type is published and issuable, the item may issue it. */
  async check(typeCode: string, ctx: WriteContext): Promise<{ type: CertificateType; item: ServiceItem }> {
    const type = await this.types.get(typeCode);
    if (!type || type.status !== 'published' || !type.isOpen) throw new IssuingError('no-type', typeCode);
    const notIssuable = issuableProblem(type);
    if (notIssuable) throw new IssuingError('type-not-issuable', notIssuable);
    const item = await this.items.get(ctx.itemCode);
    if (!item) throw new IssuingError('no-item', ctx.itemCode);
    if (item.name !== ctx.itemName) throw new IssuingError('item-name', item.name);
    if (!itemMayUse(item, typeCode)) throw new IssuingError('item-not-allowed', `${item.code} → ${typeCode}`);
    if (itemOutsideDivision(ctx.caller, item)) {
      await this.recordRefusal(ctx, 'check', undefined, 'outside-division');
      throw new IssuingError('outside-division', `${item.code} → ${ctx.caller.divisionCode}`);
    }
    return { type, item };
  }

  /**
   * A seal code, when a write gives one, names a seal of the item's organisation valid now (seed 002
   * table 5: `seal_code` 印章编码); that seal then stamps the certificate's files.
   */
  async checkSeal(item: Pick<ServiceItem, 'orgCode'>, sealCode: string | undefined): Promise<void> {
    if (sealCode === undefined) return;
    const problem = await this.seals.sealCodeProblem(item.orgCode, sealCode);
    if (problem) throw new IssuingError('seal', problem);
  }

  private draftFrom(type: CertificateType, item: ServiceItem, fields: unknown, ctx: WriteContext, opts: DraftOptions, version: number): Certificate {
    const read = readIssuedFields(type, fields);
    if (!read.ok) throw new IssuingError('invalid-fields', read.problems.map((p) => `${p.field}: ${p.rule}`).join('; '), read.problems);
    const f = read.value;
    const id = newCertificateId(this.keys, type.code, item.orgCode, f.number, version);
    return {
      id, typeCode: type.code, typeName: type.name, name: type.name, number: f.number, holder: f.holder,
      issuer: { name: item.orgName, code: item.orgCode, areaCode: f.areaCode ?? item.areaCode },
      issueDate: f.issueDate ?? cstDate(new Date()), validFrom: f.validFrom, validTo: f.validTo,
      status: 'draft', version, surface: f.surface, detail: [],
      sealCode: opts.sealCode, licenseGroup: opts.licenseGroup, itemCode: item.code, divisionCode: ctx.operator.divisionCode,
      madeByApp: ctx.caller?.app,
    };
  }

  /** Throws when the caller may not write this certificate (write-authority.ts). */
  private authorise(ctx: WriteContext, item: ServiceItem, cert: Certificate): void {
    const problem = authorityProblem(ctx.caller, item, cert);
    if (problem) throw new IssuingError(problem, problemDetail(problem, ctx, item, cert));
  }

  /**
   * Records the refusals for want of authority among a batch's outcomes, in the usage log. Called
   * outside any transaction: the usage log commits on its own connection.
   */
  async recordRefusals(ctx: WriteContext, action: string, outcomes: { id?: string; problem?: string }[]): Promise<void> {
    for (const o of outcomes) {
      if (o.problem && AUTHORITY_PROBLEMS.has(o.problem as IssuingProblem)) await this.recordRefusal(ctx, action, o.id, o.problem as IssuingProblem);
    }
  }

  /**
   * Runs a write; a refusal for want of authority is recorded in the usage log before it is
   * answered, after the write's transaction has ended.
   */
  private async guarded<T>(ctx: WriteContext, action: string, id: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof IssuingError && AUTHORITY_PROBLEMS.has(err.problem)) await this.recordRefusal(ctx, action, id, err.problem);
      throw err;
    }
  }

  private recordRefusal(ctx: WriteContext, action: string, id: string | undefined, problem: IssuingProblem): Promise<void> {
    return this.usage.record({
      dialect: ctx.call?.dialect ?? 'core', interface: ctx.call?.interface ?? action, accountId: ctx.caller?.app,
      operator: ctx.sessionAccount ?? ctx.operator.account, itemCode: ctx.itemCode, itemName: ctx.itemName, bizNum: ctx.bizNum,
      clientIp: ctx.call?.clientIp, correlationId: ctx.call?.correlationId, certificateIds: id ? [id] : [], resultCode: problem,
    });
  }

  private async insertNew(c: Certificate, tx: Queryable): Promise<void> {
    let inserted: boolean;
    try {
      inserted = await this.certs.insert(c, tx);
    } catch (err) {
      if (uniqueViolation(err)) throw new IssuingError('duplicate', c.number);
      throw err;
    }
    if (!inserted) throw new IssuingError('duplicate', c.number);
  }

  private async locked(tx: Queryable, type: CertificateType, id: string, number?: string): Promise<Certificate> {
    const current = await this.certs.getForUpdate(id, tx);
    if (!current) throw new IssuingError('not-found', id);
    if (current.typeCode !== type.code) throw new IssuingError('wrong-type', current.typeCode);
    if (number !== undefined && number !== '' && number !== current.number) throw new IssuingError('number-mismatch', id);
    return current;
  }

  /** What a draft becomes when issued: a type whose fields carry no issue date is issued on the day it is signed. */
  private issuedForm(type: CertificateType, draft: Certificate): Certificate {
    const issueDate = type.fields.some((f) => f.role === 'issueDate') ? draft.issueDate : cstDate(new Date());
    return { ...draft, issueDate, status: 'issued' };
  }

  private async signLocked(tx: Queryable, type: CertificateType, draft: Certificate, ctx: WriteContext, action: LifecycleAction = 'sign'): Promise<Certificate> {
    const issued = this.issuedForm(type, draft);
    const issueDate = issued.issueDate;
    const { signature, kid } = this.nodeKeys.sign(signedBytes(issued));
    if (!(await this.certs.markIssued(draft.id, issueDate, signature, kid, tx))) throw new IssuingError('not-draft', draft.id);
    await this.event(tx, draft.id, action, ctx, action === 'change' ? { relatedId: draft.predecessorId } : {});
    return { ...issued, digitalSign: signature, signKeyId: kid };
  }

  private event(tx: Queryable, id: string, action: LifecycleAction, ctx: WriteContext, extra: { reason?: string; relatedId?: string } = {}) {
    return recordEvent(tx, this.eventOf(id, action, ctx, extra));
  }

  private eventOf(id: string, action: LifecycleAction, ctx: WriteContext, extra: { reason?: string; relatedId?: string } = {}): CertificateEvent {
    return {
      certificateId: id, action, sessionAccount: ctx.sessionAccount, operator: operatorRecord(ctx.operator), itemCode: ctx.itemCode,
      itemName: ctx.itemName, bizNum: ctx.bizNum, ...extra,
    };
  }
}

/** What a refusal names: whose the certificate is, or which division it lies in. */
function problemDetail(problem: AuthorityProblem, ctx: WriteContext, item: ServiceItem, cert: Certificate): string {
  switch (problem) {
    case 'not-issuer': return `${cert.issuer.name}（${cert.issuer.code}）≠ ${item.orgName}（${item.orgCode}）`;
    case 'not-maker': return cert.id;
    case 'outside-division': return `${cert.issuer.areaCode ?? cert.issuer.code.slice(2, 8)} ∉ ${ctx.caller?.divisionCode ?? ''}`;
  }
}

function operatorRecord(o: OperatorInfo): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'string' && v !== '')) as Record<string, string>;
}

/** PostgreSQL's unique_violation, from either back end. */
function uniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}
