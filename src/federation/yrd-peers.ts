import { isAreaCode } from '../domain/regions.js';
import type { KnownKey } from '../store/peer-keys.js';
import type { YrdPeerEntry, YrdPeerRepo } from '../store/yrd-peers.js';
import type { PeerKeys } from '../core/peer-keys.js';
import { fetchPublishedKeys } from './published-keys.js';
import { sm3Hex } from '../crypto/sm3.js';
import { PEER_CLOCK_SKEW_MS } from './peer-message.js';

/** A peer with the keys the direct channel needs: the one to seal to and those its signatures are checked with. */
export interface YrdPeer extends YrdPeerEntry { encryptionKey?: KnownKey; signingKeys: KnownKey[] }

export const peerOwner = (areaCode: string) => `peer:${areaCode}`;

/**
 * The directory of the YRD direct channel on a province node (seed 004 flow f/g): the other
 * provinces it calls point to point, and that may call it. Each is named by its GB/T 2260 area
 * code; its keys are read from its own /.well-known/zhengzhao/keys (`fetch`) and kept in
 * peer_keys, so a call never waits for a key download.
 */
export class YrdPeerRegistry {
  private readonly lastOnDemand = new Map<string, number>();

  constructor(private readonly repo: YrdPeerRepo, private readonly keys: PeerKeys, private readonly timeoutMs: number) {}

  async add(p: { areaCode: string; name: string; baseUrl: string }, opts: { fetch?: boolean } = {}): Promise<YrdPeer> {
    const entry = { areaCode: (p.areaCode ?? '').trim(), name: (p.name ?? '').trim(), baseUrl: (p.baseUrl ?? '').trim().replace(/\/+$/, '') };
    if (!isAreaCode(entry.areaCode)) throw new Error(`area ${entry.areaCode}: six digits of GB/T 2260, e.g. 320000`);
    if (!entry.name || entry.name.length > 128) throw new Error('name: 1-128 characters');
    if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(entry.baseUrl)) throw new Error(`url ${entry.baseUrl}: an http:// or https:// base URL (its direct channel is under /yrd/v1/peer)`);
    if (!(await this.repo.insert(entry))) throw new Error(`peer ${entry.areaCode} is already registered; remove it first to change it`);
    if (opts.fetch) {
      try {
        return await this.fetch(entry.areaCode);
      } catch (err) {
        // Keep the entry (the peer may not be up yet): a later `peers fetch` completes it.
        throw new Error(`peer ${entry.areaCode} added, but its keys were not read: ${(err as Error).message}; run peers fetch ${entry.areaCode} when it answers`);
      }
    }
    return this.peer(entry.areaCode) as Promise<YrdPeer>;
  }

  async remove(areaCode: string): Promise<boolean> {
    const removed = await this.repo.remove(areaCode);
    if (removed) await this.keys.forget(peerOwner(areaCode));
    return removed;
  }

  async list(): Promise<YrdPeer[]> {
    const known = await this.keys.list('peer:');
    return (await this.repo.list()).map((e) => this.withKeys(e, known.filter((k) => k.owner === peerOwner(e.areaCode))));
  }

  /**
   * Whether this is the first time a peer's request with this signature arrives. SM2 signatures
   * are randomised and the caller signs each attempt, so a second sight is a replay within the
   * clock window (which refuses anything older).
   */
  firstSight(areaCode: string, signature: string): Promise<boolean> {
    return this.repo.firstSight(areaCode, sm3Hex(signature), (2 * PEER_CLOCK_SKEW_MS) / 1000);
  }

  async peer(areaCode: string): Promise<YrdPeer | undefined> {
    const e = await this.repo.get(areaCode);
    return e && this.withKeys(e, await this.keys.list(peerOwner(areaCode)));
  }

  /** Reads a peer's published keys and keeps them (replacing what it published before). */
  async fetch(areaCode: string): Promise<YrdPeer> {
    const e = await this.repo.get(areaCode);
    if (!e) throw new Error(`no peer ${areaCode}`);
    const got = await fetchPublishedKeys(e.baseUrl, this.timeoutMs);
    // A node that says which area it serves must say this one: a wrong URL must not bind another province's keys to this area.
    if (got.node.areaCode && got.node.areaCode !== areaCode) throw new Error(`${got.url} is the node of area ${got.node.areaCode}, not ${areaCode}`);
    if (!got.keys.some((k) => k.use === 'encrypt')) throw new Error(`${got.url} publishes no encryption key (use: encrypt); it cannot take part in the direct channel`);
    await this.keys.learn({ owner: peerOwner(areaCode), name: e.name, dataSource: got.node.dataSource, areaCodes: [areaCode] }, got.keys, got.url);
    await this.repo.markFetched(areaCode);
    return (await this.peer(areaCode))!;
  }

  /**
   * Reads a peer's keys again because a message named a key not known of it (the peer rotated):
   * at most once a minute per peer, so unknown kids cannot make this node hammer a peer.
   */
  async refreshOnDemand(areaCode: string, now = Date.now()): Promise<YrdPeer | undefined> {
    if (now - (this.lastOnDemand.get(areaCode) ?? -Infinity) < 60_000) return undefined;
    this.lastOnDemand.set(areaCode, now);
    try {
      return await this.fetch(areaCode);
    } catch {
      return undefined;
    }
  }

  /** Fetches every peer; one peer's failure does not stop the others. */
  async fetchAll(): Promise<{ areaCode: string; ok: boolean; keys?: number; error?: string }[]> {
    const out = [];
    for (const e of await this.repo.list()) {
      try {
        const p = await this.fetch(e.areaCode);
        out.push({ areaCode: e.areaCode, ok: true, keys: p.signingKeys.length + (p.encryptionKey ? 1 : 0) });
      } catch (err) {
        out.push({ areaCode: e.areaCode, ok: false, error: (err as Error).message });
      }
    }
    return out;
  }

  private withKeys(e: YrdPeerEntry, keys: KnownKey[]): YrdPeer {
    const encryption = keys.filter((k) => k.use === 'encrypt').sort((a, b) => (b.validFrom ?? '').localeCompare(a.validFrom ?? ''))[0];
    return { ...e, ...(encryption ? { encryptionKey: encryption } : {}), signingKeys: keys.filter((k) => k.use === 'sign') };
  }
}
