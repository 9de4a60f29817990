import type { Certificate, CertificateSummary } from '../../domain/model.js';
import { maskValue } from '../../domain/mask.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import type { CertificateTypeRepo } from '../../store/certificate-types.js';
import type { FileFormat } from '../file-tickets.js';
import type { FileVerdict, FileVerification } from '../file-verification.js';
import type { QrValues } from '../qr-values.js';
import { checkScene, sceneContext, type Scene, type SceneChecks } from '../scenes.js';
import { markRecorded, wasRecorded, type CallContext, type FileLink, type HolderSelector, type SharingService } from '../sharing.js';
import type { UsageRecorder, UsageRow } from '../usage.js';
import type { TokenBearer, TrustedAccess, VouchedHolder } from './access.js';
import { allowsOperation, allowsType, type Operation } from './permission.js';
import { TrustError } from './problems.js';
import { hubThenDirect } from '../reach/hub-then-direct.js';
import { issuerAreaOf } from '../../domain/regions.js';
import type { Onward, RemoteNode } from '../reach/transport.js';
import { Reach } from '../reach/engine.js';
import { callOf } from '../reach/call.js';
import type { Way } from '../reach/decide.js';
import type { TrustedGrant } from './token.js';

/** What a holder-authorised call states: its scene, the holder's token and who presents it. */
export interface Authorised { ctx: CallContext; scene: Scene; token: string; bearer: TokenBearer }

/** A holder as a decoded code shows them to a clerk: the identity number masked. */
export interface HolderInfo { name?: string; idType: string; idNo: string }

/** What table 7 finds for a code: the holder, and their certificates the scene may see. */
export interface Decoded { holder: HolderInfo; certificates: CertificateSummary[] }

/**
 * Sharing on the holder's authority (seed 004 5.2-5.4, tables 1-7): every call states its scene; a
 * call by holder or by certificate ID presents a trusted token, and is answered only for the
 * token's holder, the operations and types its permission names and the types the scene's service
 * item may use. The sharing service itself selects, links and records; refusals made here are
 * recorded as uses too.
 */
export class TrustedSharing {
  constructor(
    private readonly sharing: SharingService,
    private readonly access: TrustedAccess,
    private readonly scenes: SceneChecks,
    private readonly types: Pick<CertificateTypeRepo, 'findByName'>,
    private readonly fileVerification: FileVerification,
    private readonly qr: QrValues,
    private readonly usage: UsageRecorder,
  ) {}

  private reach?: { hub?: RemoteNode; hubTimeoutMs: number; anyPeer: () => Promise<boolean>; engine: Reach };

  /** How this node reaches the rest of the network for a holder it does not hold all of: its hub (national interface) and the time it waits for it. */
  setReach(reach: { hub?: RemoteNode; hubTimeoutMs: number; anyPeer: () => Promise<boolean> }): void {
    const engine = new Reach(this.sharing, { role: 'province', areaCode: this.access.area, hub: !!reach.hub, peers: false, upper: false });
    this.reach = { ...reach, engine };
  }

  /**
   * The way of a flow-f call (the engine decides): another province's request (it came over the
   * direct channel) is a hop already and is answered here alone; a node alone answers alone.
   */
  private async wayOf(a: Pick<Authorised, 'bearer'>, ask: { kind: 'holder' | 'id' | 'file'; idArea?: string }): Promise<Way> {
    const r = this.reach;
    if (!r) return { local: 'alone', onward: 'none', when: 'always' };
    const peers = !r.hub && (await r.anyPeer());
    return r.engine.way({ ...ask, hops: fromOwnApp(a) ? 0 : 1, flow: 'trusted' }, peers);
  }

  /**
   * Onward for flow f: the hub is given the flow's own threshold (10 s by default), which the
   * channel's per-hop default (5 s) must not cut short; the budget the hub passes on to its owners is
   * what is left of it.
   */
  private flowOnward(ctx: CallContext, timeoutMs: number): Onward {
    return { reason: ctx.reason, correlationId: ctx.correlationId!, hops: 1, timeoutMs };
  }

  /**
   * Table 1 (seed 004 flow f). Asked by one of this node's apps: what this node holds, and what
   * the rest of the network holds for the token's holder, asked of the national hub first and, when
   * the hub fails or is silent past the timeout, of the region's provinces directly (`direct`, the
   * adapter's call of their table 1 with the request as presented: they check token and scene again).
   * Remote answers pass the same filters as local ones: the token's holder, the types both the
   * permission and the scene's item allow. The remote part is recorded with the path that answered.
   * Asked by another province over the direct channel: what this node holds, nothing more (a request
   * goes on once, never round the region).
   */
  retrieve(a: Authorised, sel: { typeName?: string; number?: string }, direct: () => Promise<CertificateSummary[]>): Promise<CertificateSummary[]> {
    return this.byHolderAcross(a, 'retrieve', sel, (ctx, hs) => this.sharing.retrieve(ctx, hs), (hub, on, hs) => hub.retrieve(on, hs), direct, (c) => c);
  }

  /** Table 3 the same way: download links of the holder's certificates here and elsewhere (another province's link is its own, passed on). */
  filesByHolder(a: Authorised, sel: { typeName?: string; number?: string }, format: FileFormat, direct: () => Promise<FileLink[]>): Promise<FileLink[]> {
    return this.byHolderAcross(a, 'download', sel, (ctx, hs) => this.sharing.filesByHolder(ctx, hs, format), (hub, on, hs) => hub.filesByHolder(on, hs, format),
      direct, (l) => l.certificate);
  }

  /** Table 5 the same way: the holder's certificates with their data. */
  dataByHolder(a: Authorised, sel: { typeName?: string; number?: string }, direct: () => Promise<Certificate[]>): Promise<Certificate[]> {
    return this.byHolderAcross(a, 'info', sel, (ctx, hs) => this.sharing.dataByHolder(ctx, hs), (hub, on, hs) => hub.dataByHolder(on, hs), direct, (c) => c);
  }

  private byHolderAcross<T>(a: Authorised, op: Operation, sel: { typeName?: string; number?: string }, local: (ctx: CallContext, hs: HolderSelector) => Promise<T[]>,
    viaHub: (hub: RemoteNode, on: Onward, hs: HolderSelector) => Promise<T[]>, direct: () => Promise<T[]>, summaryOf: (t: T) => CertificateSummary): Promise<T[]> {
    return this.guarded(a, async (ctx, hold) => {
      const hs = await this.holderSelector(a, op, sel, hold);
      const localCtx = { ...ctx, context: { ...ctx.context, path: 'local' } };
      const way = await this.wayOf(a, { kind: 'holder' });
      const reach = this.reach;
      if (way.local === 'alone' || !reach) return local(localCtx, hs);
      const call = callOf(ctx);
      // The commit of the local record overlaps the hop; both commit before the answer leaves.
      return call.overlapping(async () => {
        let here: T[] = [];
        try {
          here = await local(localCtx, hs);
        } catch (err) {
          if (!(err instanceof ServiceError && err.code === ReturnCode.NotFound)) throw err;
        }
        const on = this.flowOnward(ctx, reach.hubTimeoutMs);
        const answer = await hubThenDirect(reach.hub && (() => viaHub(reach.hub!, on, hs)), direct, reach.hubTimeoutMs, [] as T[]);
        call.took(answer.path, 'answered');
        const allowed = new Set(hs.allowedTypes ?? []);
        const seen = new Set(here.map((t) => summaryOf(t).id));
        const remote = answer.value.filter((t) => {
          const c = summaryOf(t);
          if (seen.has(c.id) || c.holder.code !== hs.holderCode || c.status === 'abolished' || !allowed.has(c.typeCode)) return false;
          if (sel.number && c.number !== sel.number) return false;
          seen.add(c.id);
          return true;
        });
        await call.record(this.usage.record({
          ...ctx, context: { ...ctx.context, path: answer.path, ...(answer.hubProblem ? { hubProblem: answer.hubProblem.slice(0, 200) } : {}) },
          holderCode: hs.holderCode, certificateIds: remote.map((t) => summaryOf(t).id), resultCode: remote.length > 0 ? ReturnCode.Success : ReturnCode.NotFound,
        }));
        const all = [...here, ...remote];
        if (all.length === 0) {
          const none = new ServiceError(ReturnCode.NotFound);
          call.noteRecorded(none);
          throw none;
        }
        return all;
      });
    });
  }

  /**
   * Tables 2 and 4. A certificate this node holds is answered here. One it does not hold, asked by
   * one of its apps (another province's request is answered from here only): by the issuer's
   * area in the identifier the certificate is another province's, so the hub is asked first and,
   * when it fails or is silent past the timeout, that province directly (`direct`, the adapter's
   * call of its table 2 or 4 with the request as presented). What comes back passes the same rules
   * as a local certificate: the token's holder, a type the permission and the item allow.
   */
  fileById(a: Authorised, id: string, format: FileFormat, direct: (issuerArea: string) => Promise<FileLink>): Promise<FileLink> {
    return this.byIdAcross(a, 'download', id, (ctx) => this.sharing.fileById(ctx, id, format), (hub, on) => hub.fileById(on, id, format), direct, (l) => l.certificate);
  }

  dataById(a: Authorised, id: string, direct: (issuerArea: string) => Promise<Certificate>): Promise<Certificate> {
    return this.byIdAcross(a, 'info', id, (ctx) => this.sharing.dataById(ctx, id), (hub, on) => hub.dataById(on, id), direct, (c) => c);
  }

  private byIdAcross<T>(a: Authorised, op: Operation, id: string, local: (ctx: CallContext) => Promise<T>, viaHub: (hub: RemoteNode, on: Onward) => Promise<T>,
    direct: (issuerArea: string) => Promise<T>, summaryOf: (t: T) => CertificateSummary): Promise<T> {
    return this.guarded(a, async (ctx, hold) => {
      const grant = await this.authorise(a, op, hold);
      const item = await this.scenes.item(a.scene);
      const allowed = (c: CertificateSummary) => {
        if (c.holder.code !== grant.holderCode) throw new TrustError('token-other-holder', 'the certificate is not the token holder\'s', ['trustedToken']);
        if (!allowsType(grant.permission, c.typeCode)) throw new TrustError('permission-type', `the token does not permit type ${c.typeCode}`, ['trustedToken']);
        this.scenes.allow(item, c.typeCode);
      };
      let entry: CertificateSummary | undefined;
      try {
        entry = await this.sharing.entry(ctx, id, { reason: true });
      } catch (err) {
        if (!(err instanceof ServiceError && err.code === ReturnCode.NotFound)) throw err;
      }
      if (entry) {
        allowed(entry);
        return local(ctx);
      }
      const area = issuerAreaOf(id);
      const reach = this.reach;
      const way = await this.wayOf(a, { kind: 'id', idArea: area });
      if (!area || !reach || way.local === 'alone') throw new ServiceError(ReturnCode.NotFound);
      const answer = await hubThenDirect<T | undefined>(reach.hub && (() => viaHub(reach.hub!, this.flowOnward(ctx, reach.hubTimeoutMs))),
        () => direct(area), reach.hubTimeoutMs, undefined);
      callOf(ctx).took(answer.path, answer.value === undefined ? ReturnCode.NotFound : 'answered');
      if (answer.value === undefined) throw new ServiceError(ReturnCode.NotFound);
      const c = summaryOf(answer.value);
      allowed(c);
      await callOf(ctx).record(this.usage.record({
        ...ctx, context: { ...ctx.context, path: answer.path, ...(answer.hubProblem ? { hubProblem: answer.hubProblem.slice(0, 200) } : {}) },
        holderCode: c.holder.code, certificateIds: [c.id], resultCode: ReturnCode.Success,
      }));
      return answer.value;
    });
  }

  /**
   * Table 6: no token (a file proves nothing about its bearer), but the scene, and its item must be
   * allowed the file's type. A file naming another province's certificate (one this node does not
   * hold, or signed by a key only its issuer's province knows), brought by one of this node's apps,
   * is checked by that province (`elsewhere`, the adapter's call of its table 6 over the direct
   * channel, with the request as presented): flow f for this table too. The national hub has no
   * file verification, so "hub first" has nothing to ask. Its verdict is the answer, recorded here
   * with the path; no answer from it leaves this node's own verdict.
   */
  verifyFile(a: Omit<Authorised, 'token'> | Omit<Authorised, 'token' | 'bearer'>, bytes: Buffer, format: FileFormat,
    elsewhere?: (area: string) => Promise<FileVerdict>): Promise<FileVerdict> {
    const bearer = 'bearer' in a ? a.bearer : { area: '' };
    return this.guarded({ ...a, token: '', bearer }, async (ctx) => {
      const item = await this.scenes.item(a.scene);
      let verdict = await this.fileVerification.verify(ctx, bytes, format);
      const area = verdict.namedId ? issuerAreaOf(verdict.namedId) : undefined;
      if (elsewhere && area && !verdict.certificate && (verdict.outcome === 'unknown-certificate' || verdict.outcome === 'untrusted-signer')) {
        const way = await this.wayOf({ bearer }, { kind: 'file', idArea: area });
        if (way.onward !== 'none') {
          const theirs = await elsewhere(area).catch(() => undefined);
          callOf(ctx).took('direct', theirs ? 'answered' : ReturnCode.ThirdPartyTimeout);
          if (theirs) {
            verdict = theirs;
            await callOf(ctx).record(this.usage.record({
              ...ctx, context: { ...ctx.context, path: 'direct', codeArea: area }, holderCode: theirs.certificate?.holder.code || undefined,
              certificateIds: theirs.certificate ? [theirs.certificate.id] : [], resultCode: `file:${theirs.outcome}`,
            }));
          }
        }
      }
      // The check ran (and was recorded) before the type was known: a refusal here withholds its result.
      if (verdict.certificate) this.scenes.allow(item, verdict.certificate.typeCode);
      return verdict;
    });
  }

  /**
   * Table 7: a holder's service code of this node gives the holder (masked) and their certificates
   * of the types the item may use; a certificate QR value (this platform's verify URL, an identifier,
   * a Sichuan encrypted ID) is printed on every file and is no holder's authority, so it gives that
   * certificate's identifier and what it is, and nothing of its holder (the seed: the decode yields
   * "加密的持证主体信息或者证照唯一编号"). A code of another area is refused as such (its issuing
   * node decodes it).
   */
  private decodeHere(a: Omit<Authorised, 'token' | 'bearer'>, text: string): Promise<Decoded> {
    return this.guarded({ ...a, token: '', bearer: { area: '' } }, async (ctx, hold) => {
      if (typeof text !== 'string' || !text.trim()) throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['serviceCode']);
      const item = await this.scenes.item(a.scene);
      if (this.access.isServiceCode(text)) {
        const c = await this.access.readServiceCode(text);
        hold(c.holderCode);
        let certificates: CertificateSummary[] = [];
        try {
          certificates = await this.sharing.retrieve(ctx, { holderCode: c.holderCode, holderType: c.holderType, allowedTypes: item.typeCodes });
        } catch (err) {
          if (!(err instanceof ServiceError && err.code === ReturnCode.NotFound)) throw err;
        }
        return { holder: { name: c.holderName, idType: c.holderType === '111' ? '1' : c.holderType, idNo: maskValue(c.holderCode) }, certificates };
      }
      const id = await this.qr.resolve(text);
      const entry = await this.sharing.entry(ctx, id, { reason: true });
      hold(entry.holder.code);
      this.scenes.allow(item, entry.typeCode);
      const { surface: _s, detail: _d, ...summary } = await this.sharing.dataById(ctx, id);
      return { holder: { idType: summary.holder.codeType === '111' ? '1' : summary.holder.codeType ?? '', idNo: '' }, certificates: [withoutHolder(summary)] };
    });
  }

  /**
   * Table 7. A service code of another province, brought by one of this node's apps, is decoded by
   * the node that issued it (`elsewhere`, the adapter's call of that province's table 7 over the
   * direct channel; the national hub has no such interface, so flow f's "hub first" has nothing to
   * ask); the scene is checked here as well as there and the use recorded here with the path.
   * Everything else, and anything another province asks, is decoded here.
   */
  decode(a: Omit<Authorised, 'token'>, text: string, elsewhere: (area: string) => Promise<Decoded>): Promise<Decoded> {
    const area = typeof text === 'string' && fromOwnApp(a) ? this.access.foreignCodeArea(text.trim()) : undefined;
    if (!area) return this.decodeHere(a, text);
    return this.guarded({ ...a, token: '', bearer: { area: '' } }, async (ctx, hold) => {
      checkScene(a.scene);
      await this.scenes.item(a.scene);
      let r: Decoded;
      try {
        r = await elsewhere(area);
      } catch (err) {
        // No channel to the code's province: say that the code is another area's (53), not that this interface is missing.
        if (err instanceof ServiceError && !(err instanceof TrustError) && err.code === ReturnCode.ServiceNotProvided) {
          throw new TrustError('code-foreign-area', `the code belongs to area ${area}, which is not a peer of this node`, ['serviceCode']);
        }
        throw err;
      }
      const holder = r.certificates[0]?.holder.code;
      if (holder) hold(holder);
      await this.usage.record({
        ...ctx, context: { ...ctx.context, path: 'direct', codeArea: area }, holderCode: holder,
        certificateIds: r.certificates.map((c) => c.id), resultCode: ReturnCode.Success,
      });
      return r;
    });
  }

  /**
   * The issuing side of table 9 when another province's app scanned this node's service code: this
   * node checks the code and tells that province's node (`ctx` names it) whose it is, so it can issue
   * its own token for the holder. Recorded as a use for the holder, refusals included: their
   * identity went to another province on the strength of their code.
   */
  async vouchForCode(ctx: CallContext, text: string): Promise<VouchedHolder> {
    let holder: string | undefined;
    try {
      const v = await this.access.vouchForCode(text);
      holder = v.holderCode;
      await this.usage.record({ ...ctx, holderCode: v.holderCode, certificateIds: [], resultCode: ReturnCode.Success });
      return v;
    } catch (err) {
      if (!wasRecorded(ctx, err)) {
        const code = err instanceof TrustError ? `${err.code}:${err.problem}` : err instanceof ServiceError ? err.code : ReturnCode.Other;
        await this.sharing.recordRefusal(ctx, code, holder);
        markRecorded(ctx, err);
      }
      throw err;
    }
  }

  /** The holder's view: every recorded use of their certificates, newest first, for a token with the `usage` operation. */
  async holderUses(token: string, bearer: TokenBearer, limit = 200): Promise<{ grant: TrustedGrant; uses: UsageRow[] }> {
    const grant = await this.access.verifyToken(token);
    this.access.checkBearer(grant, bearer);
    if (!allowsOperation(grant.permission, 'usage')) throw new TrustError('permission-operation', 'the token does not permit usage', ['trustedToken']);
    return { grant, uses: await this.usage.list({ holderCode: grant.holderCode, limit }) };
  }

  // ---- the rules ----

  private async authorise(a: Authorised, op: Operation, hold: (holder: string) => void): Promise<TrustedGrant> {
    checkScene(a.scene);
    const grant = await this.access.verifyToken(a.token);
    hold(grant.holderCode);
    this.access.checkBearer(grant, a.bearer);
    if (!allowsOperation(grant.permission, op)) throw new TrustError('permission-operation', `the token does not permit ${op}`, ['trustedToken']);
    return grant;
  }

  private async holderSelector(a: Authorised, op: Operation, sel: { typeName?: string; number?: string }, hold: (h: string) => void): Promise<HolderSelector> {
    const grant = await this.authorise(a, op, hold);
    const item = await this.scenes.item(a.scene);
    if (sel.typeName) {
      const named = (await this.types.findByName(sel.typeName)).filter((t) => t.status === 'published').map((t) => t.code);
      if (named.length === 0) throw new ServiceError(ReturnCode.TypeNotFound, sel.typeName);
      if (!named.some((t) => item.typeCodes.includes(t))) this.scenes.allow(item, named[0]!);
      if (!named.some((t) => allowsType(grant.permission, t))) throw new TrustError('permission-type', `the token does not permit ${sel.typeName}`, ['trustedToken']);
    }
    return {
      holderCode: grant.holderCode, holderType: grant.holderType, typeName: sel.typeName, number: sel.number,
      allowedTypes: item.typeCodes.filter((t) => allowsType(grant.permission, t)),
    };
  }

  /** Runs a call with the scene in its use record; a refusal no use case recorded is recorded here. */
  private async guarded<T>(a: Authorised, fn: (ctx: CallContext, hold: (holder: string) => void) => Promise<T>): Promise<T> {
    const ctx = sceneContext(a.ctx, a.scene);
    let holder: string | undefined;
    try {
      return await fn(ctx, (h) => { holder = h; });
    } catch (err) {
      const call = callOf(ctx);
      if (!call.wasRecorded(err)) {
        // A trust refusal keeps its reason in the record: 11 alone would not tell a holder a forged token from an expired one.
        const code = err instanceof TrustError ? `${err.code}:${err.problem}` : err instanceof ServiceError ? err.code : ReturnCode.Other;
        await this.sharing.recordRefusal(ctx, code, holder ?? (err instanceof TrustError ? err.holderCode : undefined));
        call.noteRecorded(err);
      }
      throw err;
    }
  }
}

/** A certificate as a value anyone may read off its file shows it: what it is, who issued it, its state; nothing of its holder. */
function withoutHolder(c: CertificateSummary): CertificateSummary {
  return { ...c, number: '', sourceId: undefined, holder: { name: '', code: '', codeType: c.holder.codeType } };
}

/** Whether a call came from one of this node's apps (and may go on to the hub or other provinces), not from another province. */
function fromOwnApp(a: Pick<Authorised, 'bearer'>): boolean {
  return 'appId' in a.bearer;
}
