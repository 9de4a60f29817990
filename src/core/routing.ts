import type { NodeRole } from '../domain/node-role.js';
import type { Certificate, CertificateSummary, CertificateType } from '../domain/model.js';
import { ReturnCode, ServiceError } from '../domain/return-codes.js';
import { issuerAreaOf, withinArea } from '../domain/regions.js';
import type { CertificateRepo } from '../store/certificates.js';
import type { CertificateTypeRepo } from '../store/certificate-types.js';
import type { FileFormat } from './file-tickets.js';
import type { CallContext, FileLink, HolderSelector, SharingService, VerifyClaim } from './sharing.js';
import { checkReason, NATIONAL_REQUIRED_CLAIM, onwardReason, requireClaimFields, type ClaimField } from './sharing.js';
import { beginCall, callOf } from './reach/call.js';
import type { Way } from './reach/decide.js';
import { FIRST_HOP, Reach, type Touched, type Via } from './reach/engine.js';
import { ELSEWHERE_MAY_HAVE, mergedItems, refusalOf, worst, type Outcome } from './reach/outcomes.js';
import { NoAnswer, type MemberDirectory, type Onward, type RemoteNode, type RoutedOperation, type UpperNode } from './reach/transport.js';


export interface RoutingOptions {
  role: NodeRole;
  /** A province's own division (GB/T 2260). */
  areaCode?: string;
  /** A province's hub; without one the province answers everything itself. */
  hub?: RemoteNode;
  /** A hub's members. */
  members?: MemberDirectory;
  /** A city's province (DB3704/T 0042 interfaceType 0), which answers its province-level calls. */
  upper?: UpperNode;
}

/**
 * Cross-region requests (ZWFW C 0124 5.2; DB51/T 2942 5.3-5.5): the sharing calls of a node in the
 * national network, wrapped around SharingService.
 *
 * A province answers from its own store what it holds and sends the rest to the hub. By certificate
 * ID, the issuer's registration area in the ID says whose it is: an ID of its own area (or one it
 * holds anyway) is answered here, any other goes to the hub. By holder code it asks the hub as well,
 * always, and merges the two answers (its own first, no certificate twice): a holder's certificates
 * may lie in several regions, and asking the hub only when nothing is found here would hide the
 * others from every holder who has one certificate here. The price is a hop on every holder call.
 *
 * The hub holds only the aggregated catalog. Retrieval is answered from it (it is what the catalog
 * is: every member's entries); every other call goes to the owner(s) the catalog names by data
 * source, through the registry, and the answers come back unchanged in content (holder calls merge
 * the answers of every owner other than the calling member, which answered for its own).
 *
 * A call that arrives from another node (hops > 0) is answered from this node's own data only, and a
 * hub does not send on what another node already sent: no call loops. Every node writes its usage
 * record of the call under the caller's correlation ID: the local part as SharingService records it,
 * each hop as a relayed record naming the node it went to.
 */
export class RoutingService {
  readonly reach: Reach;

  constructor(
    private readonly sharing: SharingService,
    private readonly certs: CertificateRepo,
    private readonly types: CertificateTypeRepo,
    private readonly opts: RoutingOptions,
  ) {
    this.reach = new Reach(sharing, { role: opts.role, areaCode: opts.areaCode, hub: !!opts.hub, peers: false, upper: !!opts.upper });
  }

  get role(): NodeRole {
    return this.opts.role;
  }

  retrieve(ctx: CallContext, sel: HolderSelector, via: Via = FIRST_HOP): Promise<CertificateSummary[]> {
    beginCall(ctx);
    const way = this.reach.way({ kind: 'holder', retrieve: true, hops: via.hops, flow: 'national' });
    if (way.local === 'alone') return this.sharing.retrieve(ctx, sel);
    if (way.onward === 'loop') return this.loop(ctx, sel.holderCode);
    return this.holderCall(ctx, sel, via, 'retrieve', () => this.sharing.retrieve(ctx, sel), (n, on, s) => n.retrieve(on, s), (c) => c.id);
  }

  dataByHolder(ctx: CallContext, sel: HolderSelector, via: Via = FIRST_HOP): Promise<Certificate[]> {
    beginCall(ctx);
    return this.byHolder(ctx, sel, via, 'dataByHolder', () => this.sharing.dataByHolder(ctx, sel), (n, on, s) => n.dataByHolder(on, s), (c) => c.id);
  }

  /**
   * One page of a holder's certificates with their data, and how many there are in all. Answered
   * alone, the page is cut in the query; with a hub, this node's own come first (as many as reach
   * to the end of the page, cut in the query, all of them counted) and the other regions' after
   * them, each certificate once.
   */
  async dataByHolderPage(ctx: CallContext, sel: HolderSelector, page: { index: number; size: number }, via: Via = FIRST_HOP): Promise<{ total: number; items: Certificate[] }> {
    beginCall(ctx);
    const way = this.reach.way({ kind: 'holder', hops: via.hops, flow: 'national' });
    if (way.local === 'alone') return this.sharing.dataByHolderPage(ctx, sel, page);
    if (way.local !== 'first') {
      const all = await this.dataByHolder(ctx, sel, via);
      return { total: all.length, items: all.slice((page.index - 1) * page.size, page.index * page.size) };
    }
    let own = { total: 0, count: 0 };
    const merged = await this.holderCall(ctx, sel, via, 'dataByHolder', async () => {
      const r = await this.sharing.dataByHolderPage(ctx, sel, { index: 1, size: page.index * page.size });
      own = { total: r.total, count: r.items.length };
      return r.items;
    }, (n, on, s) => n.dataByHolder(on, s), (c) => c.id);
    return { total: own.total + merged.length - own.count, items: merged.slice((page.index - 1) * page.size, page.index * page.size) };
  }

  filesByHolder(ctx: CallContext, sel: HolderSelector, format: FileFormat = 'pdf', via: Via = FIRST_HOP): Promise<FileLink[]> {
    beginCall(ctx);
    return this.byHolder(ctx, sel, via, 'filesByHolder', () => this.sharing.filesByHolder(ctx, sel, format),
      (n, on, s) => n.filesByHolder(on, s, format), (l) => l.certificate.id);
  }

  dataById(ctx: CallContext, id: string, via: Via = FIRST_HOP): Promise<Certificate> {
    beginCall(ctx);
    return this.byId(ctx, id, via, 'dataById', () => this.sharing.dataById(ctx, id), (n, on) => n.dataById(on, id),
      (c) => ({ ids: [c.id], holderCode: c.holder.code }));
  }

  /** `copyExpiresAt`: when the annotated copy handed out here expires (Zaozhuang expiryTime); another node's copy keeps its own terms. */
  fileById(ctx: CallContext, id: string, format: FileFormat = 'pdf', via: Via = FIRST_HOP, copyExpiresAt?: number): Promise<FileLink> {
    beginCall(ctx);
    return this.byId(ctx, id, via, 'fileById', () => this.sharing.fileById(ctx, id, format, copyExpiresAt), (n, on) => n.fileById(on, id, format),
      (l) => ({ ids: [l.certificate.id], holderCode: l.certificate.holder.code || undefined }));
  }

  /**
   * Verification by the fields of national appendix G (`required`: the fields the caller's
   * interface requires; DB51/T 2942 table 11 requires the holder code only). A claim about a
   * certificate this node holds is decided here; one it does not hold goes to the hub, when the
   * claim carries what the national interface requires (else the hub could only refuse it).
   */
  async verify(ctx: CallContext, claim: VerifyClaim, via: Via = FIRST_HOP, required: readonly ClaimField[] = NATIONAL_REQUIRED_CLAIM): Promise<boolean> {
    beginCall(ctx);
    const way = this.reach.way({ kind: 'verify', hops: via.hops, flow: 'national' });
    if (way.onward === 'loop') return this.loop(ctx, claim.holderCode);
    if (way.local === 'catalog') return this.verifyAtHub(ctx, claim, via);
    if (way.local === 'alone' || !this.opts.hub) return this.sharing.verify(ctx, claim, required);
    const hub = this.opts.hub;
    return callOf(ctx).overlapping(async () => {
      let localError: ServiceError;
      try {
        return await this.sharing.verify(ctx, claim, required);
      } catch (err) {
        // Only when this node has no such certificate: a claim about one it holds is decided here.
        if (!(err instanceof ServiceError) || (err.code !== ReturnCode.NotFound && err.code !== ReturnCode.TypeNotFound)) throw err;
        if (NATIONAL_REQUIRED_CLAIM.some((f) => !claim[f]?.trim())) throw err;
        localError = err;
      }
      const on = this.reach.onward(ctx, via, onwardReason(ctx));
      const remote = await this.reach.relay(ctx, hub, hub.name, 'verify', on, (o) => hub.verify(o, claim), () => ({ ids: [] }), claim.holderCode);
      if (remote.ok) return remote.value;
      throw worst([localError, remote.error]);
    });
  }

  /**
   * Whether a call of this level is passed up as it came (a city's province-level call), rather
   * than answered by this node's own way.
   */
  passesUp(level: 'province' | 'city', via: Via = FIRST_HOP): boolean {
    return this.reach.way({ kind: 'holder', hops: via.hops, flow: 'national', level }).onward === 'upper';
  }

  /**
   * Passes a call up to the upper-level node in the dialect's own envelope and records the hop
   * once: the node, the code its answer bears (`codeOf`), the certificates it names. No answer in
   * time, or none at all, is a NoAnswer the adapter words in its own codes (recorded already).
   */
  async relayUp(ctx: CallContext, via: Via, iface: string, params: Readonly<Record<string, unknown>>,
    read: (answer: unknown) => { code: string; ids: string[] }, holderCode?: string): Promise<unknown> {
    beginCall(ctx);
    const upper = this.opts.upper;
    if (!upper) throw new ServiceError(ReturnCode.ServiceNotProvided, 'this node has no upper-level node');
    const call = callOf(ctx);
    let answer: unknown;
    try {
      answer = await upper.relay(this.reach.onward(ctx, via, onwardReason(ctx)), iface, params);
    } catch (err) {
      const problem = err instanceof NoAnswer ? err.problem : 'bad-answer';
      call.took(upper.name, problem);
      const code = problem === 'timeout' || problem === 'unreachable' || problem === 'circuit-open' ? ReturnCode.ThirdPartyTimeout : ReturnCode.Other;
      await this.sharing.recordRelayed(ctx, upper.name, code, [], holderCode);
      call.noteRecorded(err);
      throw err;
    }
    const r = read(answer);
    call.took(upper.name, r.code === ReturnCode.Success ? 'answered' : r.code);
    await this.sharing.recordRelayed(ctx, upper.name, r.code, r.ids, holderCode);
    return answer;
  }

  /** The certificate types this node publishes (F.3): a node's own catalog, on every role. */
  listTypes(ctx: CallContext): Promise<CertificateType[]> {
    beginCall(ctx);
    return this.sharing.listTypes(ctx);
  }

  // ---- the way a holder call or an ID call takes ----

  private byHolder<T>(
    ctx: CallContext, sel: HolderSelector, via: Via, op: RoutedOperation, local: () => Promise<T[]>,
    send: (n: RemoteNode, on: Onward, sel: HolderSelector) => Promise<T[]>, key: (x: T) => string,
  ): Promise<T[]> {
    const way = this.reach.way({ kind: 'holder', hops: via.hops, flow: 'national' });
    if (way.onward === 'loop') return this.loop(ctx, sel.holderCode);
    if (way.local === 'catalog') return this.fanOut(ctx, sel, via, op, { reason: true, type: true }, send, key);
    if (way.local === 'alone') return local();
    return this.holderCall(ctx, sel, via, op, local, send, key);
  }

  private async byId<T>(
    ctx: CallContext, id: string, via: Via, op: RoutedOperation, local: () => Promise<T>,
    send: (n: RemoteNode, on: Onward) => Promise<T>, touched: Touched<T>,
  ): Promise<T> {
    const held = this.opts.role === 'province' && via.hops === 0 && !!this.opts.hub && !this.ofOwnArea(id)
      && issuerAreaOf(id) !== undefined && (await this.certs.holds(id.trim()));
    const way: Way = this.reach.way({ kind: 'id', hops: via.hops, flow: 'national', idArea: issuerAreaOf(id), heldHere: held });
    if (way.onward === 'loop') return this.loop(ctx, undefined);
    if (way.local === 'catalog') return this.toOwner(ctx, id, via, op, send, touched);
    if (way.local === 'alone' || !this.opts.hub) return local();
    const hub = this.opts.hub;
    // What this node can check itself is refused here, before a hop.
    await this.reach.refusedHere(ctx, undefined, async () => checkReason(ctx.reason, !ctx.reasonNotAsked));
    const outcome = await this.reach.relay(ctx, hub, hub.name, op, this.reach.onward(ctx, via, onwardReason(ctx)), (on) => send(hub, on), touched);
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  }

  // ---- province ----

  /**
   * A holder call at a province: its own answer, and the hub's for the other regions, merged. The
   * commit of the local record overlaps the hop to the hub; both commit before the answer leaves.
   */
  private holderCall<T>(
    ctx: CallContext, sel: HolderSelector, via: Via, op: RoutedOperation,
    local: () => Promise<T[]>, remote: (n: RemoteNode, on: Onward, sel: HolderSelector) => Promise<T[]>, key: (x: T) => string,
  ): Promise<T[]> {
    const hub = this.opts.hub!;
    return callOf(ctx).overlapping(async () => {
      const own: Outcome<T[]> = await local().then(
        (value) => ({ ok: true as const, value }),
        (err: unknown) => {
          if (!(err instanceof ServiceError) || !ELSEWHERE_MAY_HAVE.has(err.code)) throw err;
          return { ok: false as const, error: err };
        },
      );
      const onwardSel = await this.nameTheType(sel);
      if (!onwardSel) {
        if (own.ok) return own.value;
        throw own.error;
      }
      // The hub's catalog may still list what this province answered differently a moment ago (an
      // abolition not yet aggregated): for certificates of its own area this province's word stands.
      const others = async (on: Onward) => (await remote(hub, on, onwardSel)).filter((x) => !this.ofOwnArea(key(x)));
      const theirs = await this.reach.relay(ctx, hub, hub.name, op, this.reach.onward(ctx, via, onwardReason(ctx)), others,
        (items) => ({ ids: items.map(key) }), sel.holderCode);
      return this.merged(ctx, [own, theirs], key);
    });
  }

  /** Whether the ID's issuer registered inside this node's division. */
  private ofOwnArea(id: string): boolean {
    const area = issuerAreaOf(id);
    return area !== undefined && this.opts.areaCode !== undefined && withinArea(this.opts.areaCode, area);
  }

  /**
   * The national interface names types by name only; a selector by type code (GB/T 36906) goes on
   * with the name this node's catalog (synced from the hub) gives the code. Undefined when the code
   * is unknown here: the hub would not know it either.
   */
  private async nameTheType(sel: HolderSelector): Promise<HolderSelector | undefined> {
    if (!sel.typeCode || sel.typeName) return sel;
    const t = await this.types.get(sel.typeCode);
    return t ? { ...sel, typeName: t.name, typeCode: undefined } : undefined;
  }

  // ---- hub ----

  /** A holder call at the hub: every owner the catalog names for the holder, asked at once, the answers merged. */
  private async fanOut<T>(
    ctx: CallContext, sel: HolderSelector, via: Via, op: RoutedOperation, need: { reason: boolean; type: boolean },
    send: (n: RemoteNode, on: Onward, sel: HolderSelector) => Promise<T[]>, key: (x: T) => string,
  ): Promise<T[]> {
    const entries = await this.reach.refusedHere(ctx, sel.holderCode, () => this.sharing.holderEntries(ctx, sel, need));
    const owners = await this.ownersOf(ctx, sel.holderCode, entries.map((e) => e.dataSource));
    const on = this.reach.onward(ctx, via, onwardReason(ctx));
    const outcomes = await Promise.all(owners.map(async (ds) => {
      const node = await this.opts.members?.node(ds);
      return this.reach.relay(ctx, node, ds, op, on, (o) => send(node!, o, sel), (items) => ({ ids: items.map(key) }), sel.holderCode);
    }));
    return this.merged(ctx, outcomes, key);
  }

  /** A call by certificate ID at the hub: to the owner the catalog names. */
  private async toOwner<T>(
    ctx: CallContext, id: string, via: Via, op: RoutedOperation,
    send: (n: RemoteNode, on: Onward) => Promise<T>, touched: Touched<T>,
  ): Promise<T> {
    const entry = await this.reach.refusedHere(ctx, undefined, () => this.sharing.entry(ctx, id, { reason: true }));
    // A D row took the certificate out of sharing: the hub's catalog says so itself, no hop needed.
    if (entry.status === 'abolished') {
      await this.reach.refusedHere(ctx, entry.holder.code, async () => { throw new ServiceError(ReturnCode.Abolished); });
    }
    const ds = entry.dataSource;
    if (!ds) {
      await this.reach.refusedHere(ctx, entry.holder.code, async () => {
        throw new ServiceError(ReturnCode.ServiceNotProvided, `the catalog names no data source for ${entry.id}`);
      });
    }
    const node = await this.opts.members?.node(ds!);
    const outcome = await this.reach.relay(ctx, node, ds!, op, this.reach.onward(ctx, via, onwardReason(ctx)), (on) => send(node!, on), (x) => {
      const t = touched(x);
      return { ids: t.ids, holderCode: t.holderCode ?? entry.holder.code };
    }, entry.holder.code);
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  }

  private async verifyAtHub(ctx: CallContext, claim: VerifyClaim, via: Via): Promise<boolean> {
    await this.reach.refusedHere(ctx, claim.holderCode, async () => {
      checkReason(ctx.reason, false);
      requireClaimFields(claim, NATIONAL_REQUIRED_CLAIM);
    });
    const sel: HolderSelector = { holderCode: claim.holderCode, holderType: claim.holderType, typeName: claim.typeName || undefined, number: claim.number || undefined };
    const entries = await this.reach.refusedHere(ctx, claim.holderCode, () => this.sharing.holderEntries(ctx, sel, { reason: false, type: true }));
    const owners = await this.ownersOf(ctx, claim.holderCode, entries.map((e) => e.dataSource));
    const on = this.reach.onward(ctx, via, onwardReason(ctx));
    const outcomes = await Promise.all(owners.map(async (ds) => {
      const node = await this.opts.members?.node(ds);
      return this.reach.relay(ctx, node, ds, 'verify', on, (o) => node!.verify(o, claim), () => ({ ids: [] }), claim.holderCode);
    }));
    // The claim stands if any owner confirms it; it fails if an owner holds the certificate and denies it.
    const answers = outcomes.filter((o): o is { ok: true; value: boolean } => o.ok).map((o) => o.value);
    if (answers.length > 0) return answers.includes(true);
    throw worst(outcomes.map((o) => (o as { error: ServiceError }).error));
  }

  /**
   * The members to ask for a holder: every data source among the catalog entries but the calling
   * member's own (it answered for its own certificates before it asked). 10 when none is left; 2
   * when the entries name no data source at all.
   */
  private async ownersOf(ctx: CallContext, holderCode: string, sources: (string | undefined)[]): Promise<string[]> {
    const caller = ctx.accountId ? await this.opts.members?.dataSourceOf(ctx.accountId) : undefined;
    const named = [...new Set(sources.filter((ds): ds is string => !!ds))];
    const owners = named.filter((ds) => ds !== caller);
    if (owners.length > 0) return owners;
    return this.reach.refusedHere(ctx, holderCode, async () => {
      throw named.length === 0 && sources.length > 0
        ? new ServiceError(ReturnCode.ServiceNotProvided, 'the catalog names no data source for these certificates')
        : new ServiceError(ReturnCode.NotFound);
    });
  }

  /** A hub sends nothing on that another node already sent: hop 1 is a member's call, anything further a loop. */
  private loop(ctx: CallContext, holderCode: string | undefined): Promise<never> {
    return this.reach.refusedHere(ctx, holderCode, async () => {
      throw new ServiceError(ReturnCode.ServiceNotProvided, 'a call another node forwarded is not forwarded again');
    });
  }

  /** The items of every answer, the first answer's first, each certificate once; else the worst refusal (every node's answer is recorded already). */
  private merged<T>(ctx: CallContext, outcomes: Outcome<T[]>[], key: (x: T) => string): T[] {
    const items = mergedItems(outcomes, key);
    if (items.length > 0) return items;
    const refusal = refusalOf(outcomes);
    callOf(ctx).noteRecorded(refusal);
    throw refusal;
  }
}
