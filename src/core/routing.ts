import { randomUUID } from 'node:crypto';
import type { NodeRole } from '../domain/node-role.js';
import type { Certificate, CertificateSummary, CertificateType } from '../domain/model.js';
import { ReturnCode, ServiceError } from '../domain/return-codes.js';
import { issuerAreaOf, withinArea } from '../domain/regions.js';
import type { CertificateRepo } from '../store/certificates.js';
import type { CertificateTypeRepo } from '../store/certificate-types.js';
import type { FileFormat } from './file-tickets.js';
import type { CallContext, FileLink, HolderSelector, SharingService, VerifyClaim } from './sharing.js';
import { checkReason, markRecorded, NATIONAL_REQUIRED_CLAIM, onwardReason, requireClaimFields } from './sharing.js';

/** How a call reached this node: after how many nodes (0: straight from a calling system), and how long its sender waits. */
export interface Via { hops: number; budgetMs?: number }

const FIRST_HOP: Via = { hops: 0 };

/** What a call takes to the next node: the stated purpose, the correlation ID, the hop count on arrival, the time left. */
export interface Onward { reason?: string; correlationId: string; hops: number; budgetMs?: number }

/** The sharing calls a node may send on to another. */
export type RoutedOperation = 'retrieve' | 'dataByHolder' | 'filesByHolder' | 'dataById' | 'fileById' | 'verify' | 'listTypes';

/**
 * Another node, spoken to in canonical terms (src/federation speaks the national interface to it).
 * Its refusals come back as ServiceError with the code it answered; no answer at all (timeout,
 * refused connection, open circuit) as 1, an interface it lacks as 2.
 */
export interface RemoteNode {
  /** How records and messages name it: "hub", or a member's data-source code. */
  readonly name: string;
  /** Whether it offers this call at all (a member may offer only some interfaces). */
  offers(op: RoutedOperation): boolean;
  retrieve(on: Onward, sel: HolderSelector): Promise<CertificateSummary[]>;
  dataByHolder(on: Onward, sel: HolderSelector): Promise<Certificate[]>;
  filesByHolder(on: Onward, sel: HolderSelector, format: FileFormat): Promise<FileLink[]>;
  dataById(on: Onward, id: string): Promise<Certificate>;
  fileById(on: Onward, id: string, format: FileFormat): Promise<FileLink>;
  verify(on: Onward, claim: VerifyClaim): Promise<boolean>;
  listTypes(on: Onward): Promise<CertificateType[]>;
}

/** The hub's registry of member nodes, as routing needs it. */
export interface MemberDirectory {
  /** The node answering for a data source (appendix H), if one is registered. */
  node(dataSource: string): Promise<RemoteNode | undefined>;
  /** The data source of the member that calls the hub with this account, if it is a member's. */
  dataSourceOf(accountId: string): Promise<string | undefined>;
}

export interface RoutingOptions {
  role: NodeRole;
  /** A province's own division (GB/T 2260). */
  areaCode?: string;
  /** A province's hub; without one the province answers everything itself. */
  hub?: RemoteNode;
  /** A hub's members. */
  members?: MemberDirectory;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: ServiceError };

/** Codes after which a province still asks the hub: nothing usable here, but another region may hold it. */
const ELSEWHERE_MAY_HAVE: ReadonlySet<string> = new Set([ReturnCode.NotFound, ReturnCode.TypeNotFound, ReturnCode.Abolished, ReturnCode.Expired, ReturnCode.Restricted]);

/**
 * When no node had anything, which refusal answers: that a node could not be asked first (the
 * answer is incomplete, the caller may try again), then that a certificate exists but cannot be
 * used, then the rest; "not found" only when every node said so.
 */
const PRECEDENCE: readonly string[] = [ReturnCode.ThirdPartyTimeout, ReturnCode.ServiceNotProvided, ReturnCode.Abolished, ReturnCode.Expired,
  ReturnCode.Restricted, ReturnCode.Other, ReturnCode.AuthFailed, ReturnCode.Unparseable, ReturnCode.BadHolderCodeType,
  ReturnCode.RequiredMissing, ReturnCode.TypeNotFound, ReturnCode.NotFound];

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
  constructor(
    private readonly sharing: SharingService,
    private readonly certs: CertificateRepo,
    private readonly types: CertificateTypeRepo,
    private readonly opts: RoutingOptions,
  ) {}

  get role(): NodeRole {
    return this.opts.role;
  }

  retrieve(ctx: CallContext, sel: HolderSelector, via: Via = FIRST_HOP): Promise<CertificateSummary[]> {
    trace(ctx);
    if (this.opts.role === 'hub') return this.sharing.retrieve(ctx, sel);
    return this.holderCall(ctx, sel, via, 'retrieve', () => this.sharing.retrieve(ctx, sel), (n, on, s) => n.retrieve(on, s), (c) => c.id);
  }

  dataByHolder(ctx: CallContext, sel: HolderSelector, via: Via = FIRST_HOP): Promise<Certificate[]> {
    trace(ctx);
    if (this.opts.role === 'hub') return this.fanOut(ctx, sel, via, 'dataByHolder', { reason: true, type: true }, (n, on, s) => n.dataByHolder(on, s), (c) => c.id);
    return this.holderCall(ctx, sel, via, 'dataByHolder', () => this.sharing.dataByHolder(ctx, sel), (n, on, s) => n.dataByHolder(on, s), (c) => c.id);
  }

  filesByHolder(ctx: CallContext, sel: HolderSelector, format: FileFormat = 'pdf', via: Via = FIRST_HOP): Promise<FileLink[]> {
    trace(ctx);
    if (this.opts.role === 'hub') {
      return this.fanOut(ctx, sel, via, 'filesByHolder', { reason: true, type: true }, (n, on, s) => n.filesByHolder(on, s, format), (l) => l.certificate.id);
    }
    return this.holderCall(ctx, sel, via, 'filesByHolder', () => this.sharing.filesByHolder(ctx, sel, format),
      (n, on, s) => n.filesByHolder(on, s, format), (l) => l.certificate.id);
  }

  dataById(ctx: CallContext, id: string, via: Via = FIRST_HOP): Promise<Certificate> {
    trace(ctx);
    const send = (n: RemoteNode, on: Onward) => n.dataById(on, id);
    const touched = (c: Certificate) => ({ ids: [c.id], holderCode: c.holder.code });
    if (this.opts.role === 'hub') return this.toOwner(ctx, id, via, 'dataById', send, touched);
    return this.idCall(ctx, id, via, 'dataById', () => this.sharing.dataById(ctx, id), send, touched);
  }

  fileById(ctx: CallContext, id: string, format: FileFormat = 'pdf', via: Via = FIRST_HOP): Promise<FileLink> {
    trace(ctx);
    const send = (n: RemoteNode, on: Onward) => n.fileById(on, id, format);
    const touched = (l: FileLink) => ({ ids: [l.certificate.id], holderCode: l.certificate.holder.code || undefined });
    if (this.opts.role === 'hub') return this.toOwner(ctx, id, via, 'fileById', send, touched);
    return this.idCall(ctx, id, via, 'fileById', () => this.sharing.fileById(ctx, id, format), send, touched);
  }

  /** Verification by the fields of national appendix G. */
  async verify(ctx: CallContext, claim: VerifyClaim, via: Via = FIRST_HOP): Promise<boolean> {
    trace(ctx);
    if (this.opts.role === 'hub') return this.verifyAtHub(ctx, claim, via);
    const hub = this.opts.hub;
    if (!hub || via.hops > 0) return this.sharing.verify(ctx, claim);
    let localError: ServiceError;
    try {
      return await this.sharing.verify(ctx, claim);
    } catch (err) {
      // Only when this node has no such certificate: a claim about one it holds is decided here.
      if (!(err instanceof ServiceError) || (err.code !== ReturnCode.NotFound && err.code !== ReturnCode.TypeNotFound)) throw err;
      localError = err;
    }
    const remote = await this.relay(ctx, hub, hub.name, via, 'verify', (on) => hub.verify(on, claim), () => ({ ids: [] }), claim.holderCode);
    if (remote.ok) return remote.value;
    throw worst([localError, remote.error]);
  }

  /** The certificate types this node publishes (F.3): a node's own catalog, on every role. */
  listTypes(ctx: CallContext): Promise<CertificateType[]> {
    trace(ctx);
    return this.sharing.listTypes(ctx);
  }

  // ---- province ----

  /** A holder call at a province: its own answer, and the hub's for the other regions, merged. */
  private async holderCall<T>(
    ctx: CallContext, sel: HolderSelector, via: Via, op: RoutedOperation,
    local: () => Promise<T[]>, remote: (n: RemoteNode, on: Onward, sel: HolderSelector) => Promise<T[]>, key: (x: T) => string,
  ): Promise<T[]> {
    const hub = this.opts.hub;
    if (!hub || via.hops > 0) return local();
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
    const theirs = await this.relay(ctx, hub, hub.name, via, op, others, (items) => ({ ids: items.map(key) }), sel.holderCode);
    return merged([own, theirs], key);
  }

  /** A call by certificate ID at a province: here if the ID is of its own area or held here, else the hub. */
  private async idCall<T>(
    ctx: CallContext, id: string, via: Via, op: RoutedOperation, local: () => Promise<T>,
    send: (n: RemoteNode, on: Onward) => Promise<T>, touched: (x: T) => { ids: string[]; holderCode?: string },
  ): Promise<T> {
    const hub = this.opts.hub;
    if (!hub || via.hops > 0 || (await this.isOwn(id))) return local();
    // What this node can check itself is refused here, before a hop.
    await this.refusedHere(ctx, undefined, async () => checkReason(ctx.reason, !ctx.reasonNotAsked));
    const outcome = await this.relay(ctx, hub, hub.name, via, op, (on) => send(hub, on), touched);
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  }

  /**
   * Whether a certificate ID is this province's: its issuer registered inside this node's division,
   * or the certificate is kept here anyway. A malformed ID is answered here (10, saying why).
   */
  private async isOwn(id: string): Promise<boolean> {
    if (issuerAreaOf(id) === undefined || !this.opts.areaCode) return true;
    return this.ofOwnArea(id) || (await this.certs.holds(id.trim()));
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
    await this.refusedHere(ctx, sel.holderCode, async () => this.noLoop(via));
    const entries = await this.refusedHere(ctx, sel.holderCode, () => this.sharing.holderEntries(ctx, sel, need));
    const owners = await this.ownersOf(ctx, sel.holderCode, entries.map((e) => e.dataSource));
    const outcomes = await Promise.all(owners.map(async (ds) => {
      const node = await this.opts.members?.node(ds);
      return this.relay(ctx, node, ds, via, op, (on) => send(node!, on, sel), (items) => ({ ids: items.map(key) }), sel.holderCode);
    }));
    return merged(outcomes, key);
  }

  /** A call by certificate ID at the hub: to the owner the catalog names. */
  private async toOwner<T>(
    ctx: CallContext, id: string, via: Via, op: RoutedOperation,
    send: (n: RemoteNode, on: Onward) => Promise<T>, touched: (x: T) => { ids: string[]; holderCode?: string },
  ): Promise<T> {
    await this.refusedHere(ctx, undefined, async () => this.noLoop(via));
    const entry = await this.refusedHere(ctx, undefined, () => this.sharing.entry(ctx, id, { reason: true }));
    // A D row took the certificate out of sharing: the hub's catalog says so itself, no hop needed.
    if (entry.status === 'abolished') {
      await this.refusedHere(ctx, entry.holder.code, async () => { throw new ServiceError(ReturnCode.Abolished); });
    }
    const ds = entry.dataSource;
    if (!ds) {
      await this.refusedHere(ctx, entry.holder.code, async () => {
        throw new ServiceError(ReturnCode.ServiceNotProvided, `the catalog names no data source for ${entry.id}`);
      });
    }
    const node = await this.opts.members?.node(ds!);
    const outcome = await this.relay(ctx, node, ds!, via, op, (on) => send(node!, on), (x) => {
      const t = touched(x);
      return { ids: t.ids, holderCode: t.holderCode ?? entry.holder.code };
    }, entry.holder.code);
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  }

  private async verifyAtHub(ctx: CallContext, claim: VerifyClaim, via: Via): Promise<boolean> {
    await this.refusedHere(ctx, claim.holderCode, async () => {
      this.noLoop(via);
      checkReason(ctx.reason, false);
      requireClaimFields(claim, NATIONAL_REQUIRED_CLAIM);
    });
    const sel: HolderSelector = { holderCode: claim.holderCode, holderType: claim.holderType, typeName: claim.typeName || undefined, number: claim.number || undefined };
    const entries = await this.refusedHere(ctx, claim.holderCode, () => this.sharing.holderEntries(ctx, sel, { reason: false, type: true }));
    const owners = await this.ownersOf(ctx, claim.holderCode, entries.map((e) => e.dataSource));
    const outcomes = await Promise.all(owners.map(async (ds) => {
      const node = await this.opts.members?.node(ds);
      return this.relay(ctx, node, ds, via, 'verify', (on) => node!.verify(on, claim), () => ({ ids: [] }), claim.holderCode);
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
    return this.refusedHere(ctx, holderCode, async () => {
      throw named.length === 0 && sources.length > 0
        ? new ServiceError(ReturnCode.ServiceNotProvided, 'the catalog names no data source for these certificates')
        : new ServiceError(ReturnCode.NotFound);
    });
  }

  /** A hub sends nothing on that another node already sent: hop 1 is a member's call, anything further a loop. */
  private noLoop(via: Via): void {
    if (via.hops > 1) throw new ServiceError(ReturnCode.ServiceNotProvided, 'a call another node forwarded is not forwarded again');
  }

  // ---- shared ----

  /** Runs a check or lookup of this node; a refusal is recorded (under the call's correlation ID) and rethrown. */
  private async refusedHere<T>(ctx: CallContext, holderCode: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = err instanceof ServiceError ? err.code : ReturnCode.Other;
      await this.sharing.recordRefusal(ctx, code, holderCode);
      markRecorded(err);
      throw err;
    }
  }

  /**
   * Sends the call to one node and records the hop: the node it went to, its result code, the
   * certificates its answer names. A node that is not registered, or does not offer the call,
   * answers 2 without a hop.
   */
  private async relay<T>(
    ctx: CallContext, node: RemoteNode | undefined, nodeName: string, via: Via, op: RoutedOperation,
    send: (on: Onward) => Promise<T>, touched: (x: T) => { ids: string[]; holderCode?: string }, holderCode?: string,
  ): Promise<Outcome<T>> {
    let outcome: Outcome<T>;
    if (!node) {
      outcome = { ok: false, error: new ServiceError(ReturnCode.ServiceNotProvided, `no member node is registered for data source ${nodeName}`) };
    } else if (!node.offers(op)) {
      outcome = { ok: false, error: new ServiceError(ReturnCode.ServiceNotProvided, `${node.name} does not offer this interface`) };
    } else {
      const on: Onward = { reason: onwardReason(ctx), correlationId: ctx.correlationId!, hops: via.hops + 1, budgetMs: via.budgetMs };
      try {
        outcome = { ok: true, value: await send(on) };
      } catch (err) {
        outcome = { ok: false, error: err instanceof ServiceError ? err : new ServiceError(ReturnCode.Other, `${nodeName}: ${(err as Error).message}`) };
      }
    }
    const t = outcome.ok ? touched(outcome.value) : { ids: [] };
    await this.sharing.recordRelayed(ctx, nodeName, outcome.ok ? ReturnCode.Success : outcome.error.code, t.ids, t.holderCode ?? holderCode);
    if (!outcome.ok) markRecorded(outcome.error);
    return outcome;
  }
}

/** Every call is traced: one without a correlation ID gets one here, which its hops carry on. */
function trace(ctx: CallContext): void {
  ctx.correlationId ??= randomUUID();
}

/** The items of every answer, the first answer's first, each certificate once; else the worst refusal. */
function merged<T>(outcomes: Outcome<T[]>[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  const items: T[] = [];
  for (const o of outcomes) {
    if (!o.ok) continue;
    for (const x of o.value) {
      const k = key(x);
      if (seen.has(k)) continue;
      seen.add(k);
      items.push(x);
    }
  }
  if (items.length > 0) return items;
  const errors = outcomes.filter((o): o is { ok: false; error: ServiceError } => !o.ok).map((o) => o.error);
  if (errors.length > 0) throw worst(errors);
  const none = new ServiceError(ReturnCode.NotFound);
  markRecorded(none); // every node's answer is recorded already
  throw none;
}

function worst(errors: ServiceError[]): ServiceError {
  const rank = (e: ServiceError) => {
    const i = PRECEDENCE.indexOf(e.code);
    return i < 0 ? PRECEDENCE.length : i;
  };
  return [...errors].sort((a, b) => rank(a) - rank(b))[0]!;
}
