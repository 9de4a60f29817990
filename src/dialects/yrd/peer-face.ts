import { TrustError } from '../../core/trusted-access/problems.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../node/services.js';
import { ServiceError, ReturnCode, returnMessage } from '../../domain/return-codes.js';
import { EnvelopeError, sealEnvelope } from '../../crypto/envelope.js';
import { correlationIdOf, CORRELATION_HEADER } from '../../federation/hop.js';
import {
  asPeerMessage, peerSignatureValid, signPeerMessage, timeProblem, type PeerRefusal, type PeerReplyBody,
} from '../../federation/peer-message.js';
import type { YrdPeer } from '../../federation/yrd-peers.js';
import { installErrorEnvelope, type TransportFailure } from '../errors.js';
import type { YrdHandlers } from './contract.js';

const REFUSAL_STATUS: Readonly<Record<PeerRefusal, number>> = {
  'plain-data': 400, malformed: 400, 'unknown-peer': 403, stale: 401, replayed: 409, 'bad-signature': 401, undecryptable: 400,
  'no-exchange-key': 409, 'too-large': 413, 'not-found': 404, internal: 500, 'too-many': 429,
};

const TRANSPORT: Readonly<Record<TransportFailure, PeerRefusal>> = {
  'too-large': 'too-large', 'unsupported-media': 'malformed', malformed: 'malformed', 'not-found': 'not-found', internal: 'internal',
  // The peer channel is ours (seed 004 names no codes for it): the calling province is told plainly.
  'too-many': 'too-many',
};

const refuse = (reply: FastifyReply, code: PeerRefusal, message: string) => reply.code(REFUSAL_STATUS[code]).send({ error: { code, message } });

/** The first signing key of the peer's that is named `kid` and checks the message. */
const signedBy = (peer: YrdPeer, kid: string, check: (publicKeyHex: string) => boolean) =>
  peer.signingKeys.some((k) => k.kid === kid && check(k.publicKeyHex));

/**
 * The peer face of the YRD interface (seed 004 5.5, flow f/g): POST {root}/{interface} from another
 * province's node over the direct channel. Only a signed envelope from a registered peer is opened
 * (peer-message.ts says why the signature); the decrypted body goes to the same handler the app
 * face uses, as a call from `{kind: 'peer', area}` on the 'direct' path; the reply, refusals of the
 * handler included, is sealed to the caller's exchange key and signed. Only a request this node
 * cannot or will not open is answered in clear, and that answer names no business data.
 */
export async function yrdPeerFace(scope: FastifyInstance, s: Services, handlers: YrdHandlers): Promise<void> {
  installErrorEnvelope(scope, (kind, detail) => ({ error: { code: TRANSPORT[kind], message: detail } }));

  scope.post<{ Params: { interface: string } }>('/:interface', { bodyLimit: s.cfg.fileBodyLimitBytes }, async (req, reply) => {
    const iface = req.params.interface;
    const correlationId = correlationIdOf(req.headers);
    reply.header(CORRELATION_HEADER, correlationId);
    const body = req.body as Record<string, unknown> | undefined;
    const m = asPeerMessage(body);
    if (!m) {
      const plain = body && typeof body === 'object' && (typeof body.data === 'object' || !('data' in body));
      return plain
        ? refuse(reply, 'plain-data', 'the direct channel takes business data only as an SM2 envelope: {from, timestamp, data, signKid, signature}')
        : refuse(reply, 'malformed', 'from, timestamp, data, signKid and signature are required strings');
    }
    let peer = await s.peers.peer(m.from);
    if (!peer) return refuse(reply, 'unknown-peer', `area ${m.from.slice(0, 12)} is not a peer of this node`);
    const stale = timeProblem(m.timestamp, Date.now());
    if (stale) return refuse(reply, 'stale', stale);
    const check = (hex: string) => peerSignatureValid('request', iface, m, hex);
    if (!signedBy(peer, m.signKid, check)) {
      // A kid not yet known of this peer: it may have rotated; read its keys again (rate-limited).
      const known = peer.signingKeys.some((k) => k.kid === m.signKid);
      const fresh = known ? undefined : await s.peers.refreshOnDemand(peer.areaCode);
      if (!fresh || !signedBy(fresh, m.signKid, check)) return refuse(reply, 'bad-signature', `the signature does not check with ${peer.name}'s key ${m.signKid.slice(0, 64)}`);
      peer = fresh;
    }
    // Only once its signature holds, so no one else can spend a peer's requests.
    if (!(await s.peers.firstSight(peer.areaCode, m.signature))) return refuse(reply, 'replayed', 'this request arrived before (a peer signs each attempt anew)');
    let request: Record<string, unknown>;
    try {
      request = await s.exchangeKeys.open(m.data, m.to);
    } catch (err) {
      if (err instanceof EnvelopeError) return refuse(reply, err.problem === 'plain' ? 'plain-data' : 'undecryptable', err.message);
      throw err;
    }
    const to = peer.encryptionKey ?? (await s.peers.refreshOnDemand(peer.areaCode))?.encryptionKey;
    if (!to) return refuse(reply, 'no-exchange-key', `no exchange key of ${peer.name} is known here to seal the reply to; run peers fetch ${peer.areaCode}`);

    let answer: PeerReplyBody;
    const handler = Object.hasOwn(handlers, iface) ? handlers[iface] : undefined;
    if (!handler) {
      answer = { ok: false, code: ReturnCode.ServiceNotProvided, message: `${returnMessage(ReturnCode.ServiceNotProvided)}: ${iface.slice(0, 64)}` };
    } else {
      try {
        answer = { ok: true, data: await handler(request, { kind: 'peer', area: peer.areaCode }, { clientIp: req.ip, correlationId, path: 'direct', baseUrl: `${req.protocol}://${req.host}` }) };
      } catch (err) {
        if (err instanceof ServiceError) {
          // The detail and, for a trust refusal, its reason: the caller renders them in its own words and codes.
          answer = {
            ok: false, code: err.code, message: err.detail ?? '', ...(err instanceof TrustError ? { problem: err.problem } : {}),
            ...(err.fields.length ? { fields: [...err.fields] } : {}),
          };
        } else {
          req.log.error({ err, iface, peer: peer.areaCode }, 'YRD peer handler failed');
          answer = { ok: false, code: ReturnCode.Other, message: returnMessage(ReturnCode.Other) };
        }
      }
    }
    return signPeerMessage('reply', iface, {
      from: s.cfg.areaCode ?? '', to: to.kid, timestamp: new Date().toISOString(), data: sealEnvelope(answer, to.publicKeyHex),
    }, s.nodeKeys.signingMaterial());
  });
}
