import { canonicalJson } from '../domain/canonical.js';
import { sm2Verify } from '../crypto/sm2.js';
import type { RevocationPull } from '../core/trusted-access/revocations.js';
import type { KeyLookup } from '../core/trusted-access/signed-value.js';
import type { YrdPeerRegistry } from './yrd-peers.js';

/**
 * How a province learns which trusted tokens another province revoked: it reads the issuer's
 * published list (GET /yrd/v1/trusted-tokens/revoked on the peer's base URL) and takes it only when
 * it is the issuer's own, signed with a signing key the network distributed for that issuer. A
 * list that cannot be read or checked is refused (PeerRevocations then keeps the last good one).
 */
export function revocationPull(peers: Pick<YrdPeerRegistry, 'list'>, keyOf: KeyLookup, timeoutMs: number): RevocationPull {
  return async (issuerArea) => {
    const peer = (await peers.list()).find((p) => p.areaCode === issuerArea);
    if (!peer) throw new Error(`no peer for area ${issuerArea}`);
    const res = await fetch(`${peer.baseUrl}/yrd/v1/trusted-tokens/revoked`, { signal: AbortSignal.timeout(timeoutMs) });
    const answer = (await res.json()) as { code?: number; data?: { issuer?: string; at?: string; kid?: string; signature?: string; tokens?: { id: string; expiresAt: string }[] } };
    const list = answer.data;
    if (!list || list.issuer !== issuerArea || !list.kid || !list.signature || !Array.isArray(list.tokens)) throw new Error(`area ${issuerArea}: no revocation list`);
    const key = await keyOf(list.kid);
    const signed = Buffer.from(canonicalJson({ issuer: list.issuer, at: list.at, tokens: list.tokens }), 'utf8');
    if (!key || !sm2Verify(signed, Buffer.from(list.signature, 'base64'), key)) throw new Error(`area ${issuerArea}: revocation list not signed by a key of that node`);
    return list.tokens.map((t) => t.id);
  };
}
