import type { ReachCall } from '../../core/reach/call.js';
/**
 * The seam between the two faces of the Yangtze River Delta interface (seed 004).
 *
 * An application system of this province calls its own node (the app face: a trusted app,
 * authenticated as such); another province's node calls this one over the direct channel (the peer
 * face: business data in SM2 envelopes, section 5.5). Both faces hand the same decoded request body to
 * the same handler, so what an interface does is written once and the channel only decides how the
 * body arrives and how the reply leaves.
 */

/** Who sent a request: a trusted app registered here, or another province's node over the direct channel. */
export type YrdCaller =
  | { kind: 'app'; appId: string; corpCode: string; corpName?: string }
  | { kind: 'peer'; area: string };

/** What a handler knows of the call besides its body. */
export interface YrdCallMeta {
  clientIp?: string;
  correlationId: string;
  /** Which path brought the request here (recorded with the use): the app face, the hub, or the direct channel. */
  path: 'local' | 'hub' | 'direct';
  /** The base URL the caller reached this node at, for download links; the configured public URL when absent. */
  baseUrl?: string;
  /** The call object every context of this request shares (whether its use was recorded, the way it took). */
  call?: ReachCall;
}

/**
 * One interface of the seed, on the decoded business data: the request body (tables 1-9 field names)
 * in, the reply's business data out. Refusals are thrown as ServiceError and rendered by the face.
 */
export type YrdHandler = (body: Readonly<Record<string, unknown>>, caller: YrdCaller, meta: YrdCallMeta) => Promise<Record<string, unknown>>;

/** The handlers by interface name, as both faces mount them. */
export type YrdHandlers = Readonly<Record<string, YrdHandler>>;
