import { sm2Sign, sm2Verify, SM2_DEFAULT_USER_ID } from '../crypto/sm2.js';

/**
 * The messages of the YRD direct channel (seed 004 5.5, flow f/g), one format for both ends.
 *
 * The seed asks only that the business data be SM2-encrypted to the receiver's public key. That
 * keeps the data from onlookers but says nothing of who sent it: anyone can encrypt to a public key.
 * So each message also carries the sender's SM2 signature (its signing key, published at
 * /.well-known/zhengzhao/keys and learned into the peer registry) over the interface, the sender's
 * area, the time and the envelope exactly as sent; a receiver accepts only registered peers whose
 * signature checks and whose time is within PEER_CLOCK_SKEW_MS of its own (so a captured request
 * cannot be replayed for long). Replies are signed the same way, by the answering node.
 *
 * Request, POST {base}/yrd/v1/peer/{interface}, application/json:
 *   { from: <caller's area code>, to?: <kid of the receiver's exchange key sealed to>,
 *     timestamp: <ISO 8601>, data: <envelope>, signKid: <caller's signing kid>, signature: <Base64 DER> }
 * Reply, HTTP 200 to any request that authenticated and decrypted:
 *   { from: <answering area>, to: <caller's exchange kid>, timestamp, data: <envelope of {ok, data} or {ok: false, code, message, fields}>,
 *     signKid, signature }
 * Refusal, HTTP 4xx, in clear (the only thing said in clear: the receiver could not or would not open the request):
 *   { error: { code: <PeerRefusal>, message } }
 */
export interface PeerMessage {
  from: string;
  to?: string;
  timestamp: string;
  data: string;
  signKid: string;
  signature: string;
}

/** What the sealed reply holds. */
export type PeerReplyBody =
  | { ok: true; data: Record<string, unknown> }
  | { ok: false; code: string; message: string; problem?: string; fields?: string[] };

export type PeerRefusal =
  | 'plain-data' | 'malformed' | 'unknown-peer' | 'stale' | 'replayed' | 'bad-signature' | 'undecryptable' | 'no-exchange-key' | 'too-large' | 'not-found' | 'internal' | 'too-many';

export const YRD_PEER_ROOT = '/yrd/v1/peer';

/** How far a message's time may be from the receiver's clock. */
export const PEER_CLOCK_SKEW_MS = 5 * 60_000;

/** The bytes each side signs: a purpose tag first, so a signature made here is never valid anywhere else. */
export function peerSigningBytes(kind: 'request' | 'reply', iface: string, m: Pick<PeerMessage, 'from' | 'to' | 'timestamp' | 'data'>): Buffer {
  return Buffer.from([`zhengzhao-yrd-peer-${kind}/1`, iface, m.from, m.to ?? '', m.timestamp, m.data].join('\n'), 'utf8');
}

export function signPeerMessage(kind: 'request' | 'reply', iface: string, m: Omit<PeerMessage, 'signKid' | 'signature'>,
  signer: { kid: string; privateKey: string }): PeerMessage {
  const signature = sm2Sign(peerSigningBytes(kind, iface, m), signer.privateKey, SM2_DEFAULT_USER_ID).toString('base64');
  return { ...m, signKid: signer.kid, signature };
}

export function peerSignatureValid(kind: 'request' | 'reply', iface: string, m: PeerMessage, publicKeyHex: string): boolean {
  return sm2Verify(peerSigningBytes(kind, iface, m), Buffer.from(m.signature, 'base64'), publicKeyHex, SM2_DEFAULT_USER_ID);
}

/** The message fields when `v` has them all as strings; undefined otherwise. */
export function asPeerMessage(v: unknown): PeerMessage | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const m = v as Record<string, unknown>;
  for (const k of ['from', 'timestamp', 'data', 'signKid', 'signature'] as const) if (typeof m[k] !== 'string' || m[k] === '') return undefined;
  if (m.to !== undefined && typeof m.to !== 'string') return undefined;
  return m as unknown as PeerMessage;
}

export function timeProblem(timestamp: string, now: number): string | undefined {
  const at = Date.parse(timestamp);
  if (!Number.isFinite(at)) return `timestamp ${timestamp.slice(0, 40)}: not an ISO 8601 time`;
  if (Math.abs(at - now) > PEER_CLOCK_SKEW_MS) return `timestamp ${timestamp} is more than ${PEER_CLOCK_SKEW_MS / 60_000} minutes from this node's clock`;
  return undefined;
}
