import { isAreaCode, isDataSource } from '../domain/regions.js';

import type { FetchedKey } from '../core/peer-keys.js';
export type { FetchedKey };

/** Who the node says it is (absent from nodes older than the exchange keys). */
export interface FetchedIdentity { role?: string; areaCode?: string; dataSource?: string }

export interface FetchedKeys { url: string; node: FetchedIdentity; keys: FetchedKey[] }

const KID = /^[A-Za-z0-9._:-]{1,64}$/;
const POINT = /^04[0-9a-fA-F]{128}$/;

/** The path every zhengzhao node publishes its public keys at. */
export const KEYS_PATH = '/.well-known/zhengzhao/keys';

/**
 * Reads a node's published keys, keeping only well-formed ones: a key without `use` is a signing
 * key (nodes published nothing else before the exchange keys). Throws with the URL and the reason
 * when the node cannot be read or publishes nothing usable.
 */
export async function fetchPublishedKeys(baseUrl: string, timeoutMs: number): Promise<FetchedKeys> {
  const url = `${baseUrl.replace(/\/+$/, '')}${KEYS_PATH}`;
  let json: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    json = await res.json();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    throw new Error(`cannot read ${url}: ${e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.cause?.code ?? e.message}`);
  }
  return { url, ...parsePublishedKeys(json, url) };
}

/** The checked content of a keys document (also each node's entry of the hub's network keys). */
export function parsePublishedKeys(json: unknown, where: string): { node: FetchedIdentity; keys: FetchedKey[] } {
  const doc = json as { node?: Record<string, unknown>; keys?: unknown } | null;
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.keys)) throw new Error(`${where}: not a key list ({keys: [...]})`);
  const keys: FetchedKey[] = [];
  for (const k of doc.keys as Record<string, unknown>[]) {
    if (!k || typeof k !== 'object') continue;
    const use = k.use ?? 'sign';
    if ((use !== 'sign' && use !== 'encrypt') || typeof k.kid !== 'string' || !KID.test(k.kid)) continue;
    if (typeof k.publicKeyHex !== 'string' || !POINT.test(k.publicKeyHex)) continue;
    const time = (v: unknown) => (typeof v === 'string' && Number.isFinite(Date.parse(v)) ? new Date(v).toISOString() : undefined);
    const validFrom = time(k.validFrom);
    const validTo = time(k.validTo);
    keys.push({ kid: k.kid, use, publicKeyHex: k.publicKeyHex.toLowerCase(), ...(validFrom ? { validFrom } : {}), ...(validTo ? { validTo } : {}) });
  }
  if (keys.length === 0) throw new Error(`${where}: publishes no well-formed SM2 key`);
  const n = doc.node ?? {};
  const node: FetchedIdentity = {
    ...(typeof n.role === 'string' ? { role: n.role } : {}),
    ...(typeof n.areaCode === 'string' && isAreaCode(n.areaCode) ? { areaCode: n.areaCode } : {}),
    ...(typeof n.dataSource === 'string' && isDataSource(n.dataSource) ? { dataSource: n.dataSource } : {}),
  };
  return { node, keys };
}
