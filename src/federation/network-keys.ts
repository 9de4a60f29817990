import type { NodeRole } from '../domain/node-role.js';
import type { NodeKeys } from '../core/node-keys.js';
import type { ExchangeKeys } from '../core/exchange-keys.js';
import type { PeerKeys } from '../core/peer-keys.js';
import type { KnownKey } from '../store/peer-keys.js';
import type { NodeRegistry } from './registry.js';
import { fetchPublishedKeys, parsePublishedKeys, type FetchedIdentity } from './published-keys.js';
import { checkNetworkKeysSignature, signNetworkKeys, type NetworkKeysSignature } from './network-keys-signature.js';

/** What key distribution reads of the node's configuration (the Config fits it). */
export interface NetworkKeySettings {
  role: NodeRole;
  areaCode?: string;
  dataSource?: string;
  hub?: { url?: string; publicKeyHex?: string };
  federation: { hopTimeoutMs: number };
}

export const NETWORK_KEYS_PATH = '/.well-known/zhengzhao/network-keys';

/** A published key as the documents carry it. */
export interface DocumentKey { kid: string; use: 'sign' | 'encrypt'; publicKeyHex: string; validFrom?: string; validTo?: string }

/**
 * What a hub publishes at NETWORK_KEYS_PATH: its own keys and each member's, named by data source
 * and area codes, when it made the document, and its signature (network-keys-signature.ts).
 */
export interface NetworkKeysDocument extends NetworkKeysSignature {
  hub: { node: FetchedIdentity; keys: DocumentKey[] };
  nodes: { dataSource: string; name: string; areaCodes: string[]; learnedAt?: string; keys: DocumentKey[] }[];
}

export interface KeyRefresh { dataSource: string; ok: boolean; keys?: number; error?: string }

export const memberOwner = (dataSource: string) => `member:${dataSource}`;
const networkOwner = (dataSource: string) => `network:${dataSource}`;
const HUB_OWNER = 'hub';

const documentKey = (k: { kid: string; use: 'sign' | 'encrypt'; publicKeyHex: string; validFrom?: string; validTo?: string }): DocumentKey => ({
  kid: k.kid, use: k.use, publicKeyHex: k.publicKeyHex, ...(k.validFrom ? { validFrom: k.validFrom } : {}), ...(k.validTo ? { validTo: k.validTo } : {}),
});

/**
 * Key distribution in the national federation, so that a province checks another province's
 * signatures by itself: the hub reads each member's published keys (on `nodes add` and
 * periodically) and republishes them with its own as the network's keys, signed with its node
 * key; a province reads those from its hub (periodically and on `sync-keys`) and takes them only
 * when a hub key it trusts signed them: the key pinned in ZHENGZHAO_HUB_KEY, else the hub signing
 * key it learned before, else (its first contact with the hub) the key the document names, which
 * it pins from then on.
 */
export class NetworkKeys {
  constructor(
    private readonly cfg: NetworkKeySettings,
    private readonly nodeKeys: NodeKeys,
    private readonly exchangeKeys: ExchangeKeys,
    private readonly peerKeys: PeerKeys,
    private readonly members: NodeRegistry,
  ) {}

  /** This node's own keys as it publishes them at /.well-known/zhengzhao/keys. */
  async ownDocument(): Promise<{ node: FetchedIdentity; keys: (Awaited<ReturnType<NodeKeys['published']>>[number] | Awaited<ReturnType<ExchangeKeys['published']>>[number])[] }> {
    return {
      node: { role: this.cfg.role, ...(this.cfg.areaCode ? { areaCode: this.cfg.areaCode } : {}), ...(this.cfg.dataSource ? { dataSource: this.cfg.dataSource } : {}) },
      keys: [...await this.nodeKeys.published(), ...await this.exchangeKeys.published()],
    };
  }

  /** Hub: reads one member's published keys. */
  async refreshMember(dataSource: string): Promise<KeyRefresh> {
    const m = (await this.members.list()).find((n) => n.dataSource === dataSource);
    if (!m) return { dataSource, ok: false, error: `no node ${dataSource}` };
    try {
      const got = await fetchPublishedKeys(m.baseUrl, this.cfg.federation.hopTimeoutMs);
      if (got.node.dataSource && got.node.dataSource !== dataSource) throw new Error(`${got.url} is the node of data source ${got.node.dataSource}, not ${dataSource}`);
      await this.peerKeys.learn({ owner: memberOwner(dataSource), name: m.name, dataSource, areaCodes: m.areaCodes }, got.keys, got.url);
      return { dataSource, ok: true, keys: got.keys.length };
    } catch (err) {
      return { dataSource, ok: false, error: (err as Error).message };
    }
  }

  /** Hub: reads every member's keys, and forgets those of members no longer registered. */
  async refreshMembers(): Promise<KeyRefresh[]> {
    const members = await this.members.list();
    const registered = new Set(members.map((m) => memberOwner(m.dataSource)));
    for (const owner of new Set((await this.peerKeys.list('member:')).map((k) => k.owner))) {
      if (!registered.has(owner)) await this.peerKeys.forget(owner);
    }
    const out: KeyRefresh[] = [];
    for (const m of members) out.push(await this.refreshMember(m.dataSource));
    return out;
  }

  /** Hub: a member left the registry. */
  forgetMember(dataSource: string): Promise<void> {
    return this.peerKeys.forget(memberOwner(dataSource));
  }

  /** Hub: the network's keys, signed. */
  async document(now = new Date()): Promise<NetworkKeysDocument> {
    const own = await this.ownDocument();
    const byOwner = new Map<string, KnownKey[]>();
    for (const k of await this.peerKeys.list('member:')) byOwner.set(k.owner, [...byOwner.get(k.owner) ?? [], k]);
    const nodes = (await this.members.list()).map((m) => {
      const keys = byOwner.get(memberOwner(m.dataSource)) ?? [];
      return { dataSource: m.dataSource, name: m.name, areaCodes: m.areaCodes, ...(keys[0]?.learnedAt ? { learnedAt: keys[0].learnedAt } : {}), keys: keys.map(documentKey) };
    });
    const doc = { hub: { node: own.node, keys: own.keys.map(documentKey) }, nodes: nodes.filter((n) => n.keys.length > 0), issuedAt: now.toISOString() };
    return signNetworkKeys(doc, (data) => this.nodeKeys.sign(data));
  }

  /**
   * Province: takes the network's keys from its hub, once their signature holds (a document that is
   * unsigned, altered, signed by another key or old is refused, and what was learned before stays);
   * nodes the hub no longer lists are forgotten.
   */
  async syncFromHub(): Promise<{ hub: string; signedBy: string; trust: 'pinned' | 'learned' | 'first-use'; nodes: KeyRefresh[] }> {
    const hubUrl = this.cfg.hub?.url;
    if (!hubUrl) throw new Error('this node has no hub (ZHENGZHAO_HUB_URL)');
    const url = `${hubUrl.replace(/\/+$/, '')}${NETWORK_KEYS_PATH}`;
    let doc: NetworkKeysDocument;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.cfg.federation.hopTimeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as NetworkKeysDocument;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      throw new Error(`cannot read ${url}: ${e.name === 'TimeoutError' ? `no answer within ${this.cfg.federation.hopTimeoutMs} ms` : e.cause?.code ?? e.message}`);
    }
    if (!doc || typeof doc !== 'object' || !doc.hub || !Array.isArray(doc.nodes)) throw new Error(`${url}: not a network key list`);
    const { keyOf, trust } = await this.trustedHubKeys(doc);
    const check = checkNetworkKeysSignature(doc as unknown as Record<string, unknown>, keyOf, Date.now());
    if (!check.ok) throw new Error(`${url}: refused, ${check.detail}${check.problem === 'unknown-key' ? '; if the hub changed its key, pin the new one in ZHENGZHAO_HUB_KEY' : ''}`);
    const hub = parsePublishedKeys(doc.hub, `${url} (hub)`);
    await this.peerKeys.learn({ owner: HUB_OWNER, name: 'hub', dataSource: hub.node.dataSource, areaCodes: hub.node.areaCode ? [hub.node.areaCode] : [] }, hub.keys, url);
    const listed = new Set<string>();
    const nodes: KeyRefresh[] = [];
    for (const n of doc.nodes) {
      const ds = typeof n?.dataSource === 'string' ? n.dataSource : '';
      // Its own keys come from itself, not from what the hub says they are.
      if (!ds || ds === this.cfg.dataSource) continue;
      listed.add(networkOwner(ds));
      try {
        const { keys } = parsePublishedKeys(n, `${url} (node ${ds})`);
        const areas = Array.isArray(n.areaCodes) ? n.areaCodes.filter((a): a is string => typeof a === 'string') : [];
        await this.peerKeys.learn({ owner: networkOwner(ds), name: typeof n.name === 'string' ? n.name : undefined, dataSource: ds, areaCodes: areas }, keys, url);
        nodes.push({ dataSource: ds, ok: true, keys: keys.length });
      } catch (err) {
        nodes.push({ dataSource: ds, ok: false, error: (err as Error).message });
      }
    }
    for (const owner of new Set((await this.peerKeys.list('network:')).map((k) => k.owner))) {
      if (!listed.has(owner)) await this.peerKeys.forget(owner);
    }
    return { hub: url, signedBy: check.kid, trust, nodes };
  }

  /**
   * The hub signing keys a document may be signed with: the pinned one (ZHENGZHAO_HUB_KEY), else
   * those learned from the hub before, else, on first contact, those the document itself lists (so
   * a first document is at least whole and signed by the key it hands over, which is pinned after).
   */
  private async trustedHubKeys(doc: NetworkKeysDocument): Promise<{ keyOf: (kid: string) => string | undefined; trust: 'pinned' | 'learned' | 'first-use' }> {
    const pinned = this.cfg.hub?.publicKeyHex;
    if (pinned) return { keyOf: () => pinned, trust: 'pinned' };
    const learned = (await this.peerKeys.list(HUB_OWNER)).filter((k) => k.owner === HUB_OWNER && k.use === 'sign');
    if (learned.length > 0) return { keyOf: (kid) => learned.find((k) => k.kid === kid)?.publicKeyHex, trust: 'learned' };
    const offered = Array.isArray(doc.hub.keys) ? doc.hub.keys : [];
    return { keyOf: (kid) => offered.find((k) => k?.kid === kid && (k.use ?? 'sign') === 'sign' && typeof k.publicKeyHex === 'string')?.publicKeyHex.toLowerCase(), trust: 'first-use' };
  }
}
