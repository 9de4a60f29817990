import { sm2Verify, SM2_DEFAULT_USER_ID } from '../crypto/sm2.js';
import { canonicalJson } from '../domain/canonical.js';

/**
 * The hub's signature on the network keys it publishes. A province learns every other node's keys
 * from this one document, so whoever could edit it in flight (a proxy, a poisoned cache, a wrong
 * DNS answer) could make a province trust a key of their own: the hub signs the document with its
 * SM2 node key and names the key (signKid); a province takes it only when the signature checks with
 * a hub key it already trusts, and only while it is fresh (a replayed old document would bring back
 * a node the hub has since dropped).
 *
 * Signed bytes: a purpose tag, a newline, then the canonical JSON (sorted keys) of the document
 * without `signKid` and `signature`; so a signature made here is valid nowhere else.
 */
export const NETWORK_KEYS_PURPOSE = 'zhengzhao-network-keys/1';

/** How far a document's issuedAt may be from the reader's clock (the hub signs each document as it serves it). */
export const NETWORK_KEYS_MAX_AGE_MS = 5 * 60_000;

export interface NetworkKeysSignature { issuedAt: string; signKid: string; signature: string }

export function networkKeysSigningBytes(unsigned: Readonly<Record<string, unknown>>): Buffer {
  return Buffer.from(`${NETWORK_KEYS_PURPOSE}\n${canonicalJson(unsigned)}`, 'utf8');
}

/** Signs a document (its issuedAt included) with the hub's node key. */
export function signNetworkKeys<T extends { issuedAt: string }>(doc: T, sign: (data: Uint8Array) => { signature: string; kid: string }): T & NetworkKeysSignature {
  const { signature, kid } = sign(networkKeysSigningBytes(doc));
  return { ...doc, signKid: kid, signature };
}

export type SignatureCheck = { ok: true; kid: string } | { ok: false; problem: 'unsigned' | 'unknown-key' | 'bad-signature' | 'stale'; detail: string };

/**
 * Checks a fetched document: signed, by a key `keyOf` trusts (its public key by kid, undefined when
 * not trusted), the signature over every other field, and issued within NETWORK_KEYS_MAX_AGE_MS.
 */
export function checkNetworkKeysSignature(doc: Readonly<Record<string, unknown>>, keyOf: (kid: string) => string | undefined, now: number): SignatureCheck {
  const { signKid, signature, ...unsigned } = doc;
  if (typeof signKid !== 'string' || typeof signature !== 'string' || !signKid || !signature) {
    return { ok: false, problem: 'unsigned', detail: 'the document carries no signKid and signature' };
  }
  const publicKeyHex = keyOf(signKid);
  if (!publicKeyHex) return { ok: false, problem: 'unknown-key', detail: `signed with key ${signKid.slice(0, 64)}, which is not a hub key this node trusts` };
  if (!sm2Verify(networkKeysSigningBytes(unsigned), Buffer.from(signature, 'base64'), publicKeyHex, SM2_DEFAULT_USER_ID)) return { ok: false, problem: 'bad-signature', detail: `the signature does not check with hub key ${signKid}: the document was altered or not signed by the hub` };
  const at = typeof unsigned.issuedAt === 'string' ? Date.parse(unsigned.issuedAt) : NaN;
  if (!Number.isFinite(at) || Math.abs(now - at) > NETWORK_KEYS_MAX_AGE_MS) {
    return { ok: false, problem: 'stale', detail: `issuedAt ${String(unsigned.issuedAt).slice(0, 40)} is not within ${NETWORK_KEYS_MAX_AGE_MS / 60_000} minutes of this node's clock` };
  }
  return { ok: true, kid: signKid };
}
