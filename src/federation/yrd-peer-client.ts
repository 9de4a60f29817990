import { TRUST_PROBLEMS, TrustError, type TrustProblem } from '../core/trusted-access/problems.js';
import type { ExchangeKeys } from '../core/exchange-keys.js';
import type { NodeKeys } from '../core/node-keys.js';
import { ReturnCode, ServiceError, type ReturnCode as Code } from '../domain/return-codes.js';
import { EnvelopeError, sealEnvelope } from '../crypto/envelope.js';
import { HopChannel, HopError, type HopSettings } from './hop-channel.js';
import { asPeerMessage, peerSignatureValid, signPeerMessage, YRD_PEER_ROOT, type PeerMessage, type PeerReplyBody } from './peer-message.js';
import type { YrdPeer, YrdPeerRegistry } from './yrd-peers.js';

export interface PeerCallOptions {
  correlationId: string;
  /** This call's own limit (default: the hop timeout); the seed's fallback waits 10 s for the hub, this one need not. */
  timeoutMs?: number;
  /** How long this node's own caller still waits, if it said. */
  budgetMs?: number;
  /**
   * Whether the call may be sent again after a connection failure or 502/503/504 (default true:
   * every interface of the seed's direct channel reads; pass false for one that writes).
   */
  idempotent?: boolean;
}

/** What a remote node answers in clear when it will not open a request. */
const AUTH_REFUSALS = new Set(['unknown-peer', 'stale', 'bad-signature']);

const isCode = (v: unknown): v is Code => typeof v === 'string' && (Object.values(ReturnCode) as string[]).includes(v);

/**
 * The client side of the YRD direct channel: `call(area, interface, body)` seals the body to the
 * peer's exchange key, signs it, POSTs it to the peer's /yrd/v1/peer/{interface} over that peer's
 * HopChannel (timeout, retries, circuit breaker, correlation headers), checks the reply's signature
 * against the peer's published keys, opens it with this node's exchange key and returns the reply
 * data. The peer's refusals come back as ServiceError with its code; a peer that does not answer,
 * or answers something unsigned or unreadable, as HopError (the caller's code 1).
 */
export class YrdPeerClient {
  private readonly channels = new Map<string, { baseUrl: string; channel: HopChannel }>();

  constructor(
    private readonly ownArea: string | undefined,
    private readonly peers: YrdPeerRegistry,
    private readonly exchangeKeys: ExchangeKeys,
    private readonly nodeKeys: NodeKeys,
    private readonly settings: HopSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async call(area: string, iface: string, body: Readonly<Record<string, unknown>>, opts: PeerCallOptions): Promise<Record<string, unknown>> {
    if (!this.ownArea) throw new Error('the direct channel needs this node\'s area code (ZHENGZHAO_AREA_CODE)');
    let peer = await this.peers.peer(area);
    if (!peer) throw new ServiceError(ReturnCode.ServiceNotProvided, `area ${area} is not a YRD peer of this node`);
    if (!peer.encryptionKey) peer = (await this.peers.refreshOnDemand(area)) ?? peer;
    const to = peer.encryptionKey;
    if (!to) throw new ServiceError(ReturnCode.ServiceNotProvided, `no exchange key of ${peer.name} (${area}) is known; run peers fetch ${area}`);

    // Sealed once, signed for each attempt: the receiver takes a signed request once only.
    const data = sealEnvelope(body, to.publicKeyHex);
    const from = this.ownArea;
    const request = () => JSON.stringify(signPeerMessage('request', iface, {
      from, to: to.kid, timestamp: new Date(this.now()).toISOString(), data,
    }, this.nodeKeys.signingMaterial()));
    const channel = this.channelOf(peer);
    const answer = await channel.post(`${peer.baseUrl}${YRD_PEER_ROOT}/${encodeURIComponent(iface)}`, request, {
      correlationId: opts.correlationId, hops: 1, budgetMs: opts.budgetMs, timeoutMs: opts.timeoutMs, idempotent: opts.idempotent ?? true,
    }, (res): { reply: PeerMessage } | { refusal: { code: string; message: string } } | undefined => {
      let json: unknown;
      try {
        json = JSON.parse(res.text);
      } catch {
        return undefined;
      }
      if (res.status === 200) return asPeerMessage(json) ? { reply: json as PeerMessage } : undefined;
      const e = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      return e && typeof e.code === 'string' && res.status < 500 ? { refusal: { code: e.code, message: typeof e.message === 'string' ? e.message : '' } } : undefined;
    });

    if ('refusal' in answer) {
      const r = answer.refusal;
      throw new ServiceError(AUTH_REFUSALS.has(r.code) ? ReturnCode.AuthFailed : ReturnCode.Other, `${peer.name} (${area}) refused the request: ${r.code} ${r.message}`);
    }
    const reply = answer.reply;
    if (reply.from !== area) throw new HopError('bad-answer', `${peer.name}: the reply says it is from ${reply.from.slice(0, 12)}, not ${area}`);
    if (!(await this.replySigned(peer, iface, reply))) throw new HopError('bad-answer', `${peer.name}: the reply's signature does not check with its published keys`);
    let sealed: Record<string, unknown>;
    try {
      sealed = await this.exchangeKeys.open(reply.data, reply.to);
    } catch (err) {
      throw new HopError('bad-answer', `${peer.name}: the reply does not open: ${err instanceof EnvelopeError ? err.message : (err as Error).message}`);
    }
    const inner = sealed as PeerReplyBody;
    if (inner.ok === true && inner.data && typeof inner.data === 'object') return inner.data;
    if (inner.ok === false) {
      const detail = `${peer.name} (${area}): ${typeof inner.message === 'string' ? inner.message : ''}`;
      const fields = Array.isArray(inner.fields) ? inner.fields.filter((f): f is string => typeof f === 'string') : [];
      // A trust refusal keeps its reason across the channel (the app is told "item unknown", not only "authentication failed").
      if (typeof inner.problem === 'string' && TRUST_PROBLEMS.has(inner.problem)) throw new TrustError(inner.problem as TrustProblem, detail, fields);
      throw new ServiceError(isCode(inner.code) ? inner.code : ReturnCode.Other, detail, fields);
    }
    throw new HopError('bad-answer', `${peer.name}: the reply holds neither data nor a refusal`);
  }

  /** Closes every peer's idle connections. */
  close(): void {
    for (const c of this.channels.values()) c.channel.close();
    this.channels.clear();
  }

  private async replySigned(peer: YrdPeer, iface: string, reply: PeerMessage): Promise<boolean> {
    const check = (p: YrdPeer) => p.signingKeys.some((k) => k.kid === reply.signKid && peerSignatureValid('reply', iface, reply, k.publicKeyHex));
    if (check(peer)) return true;
    if (peer.signingKeys.some((k) => k.kid === reply.signKid)) return false;
    const fresh = await this.peers.refreshOnDemand(peer.areaCode);
    return !!fresh && check(fresh);
  }

  /** One channel, and so one circuit breaker, per peer for as long as its address stays the same. */
  private channelOf(peer: YrdPeer): HopChannel {
    let c = this.channels.get(peer.areaCode);
    if (!c || c.baseUrl !== peer.baseUrl) {
      c?.channel.close();
      c = { baseUrl: peer.baseUrl, channel: new HopChannel(`YRD peer ${peer.areaCode} (${peer.name})`, peer.baseUrl, this.settings, this.now) };
      this.channels.set(peer.areaCode, c);
    }
    return c.channel;
  }
}
