import type { KnownKey, PeerKeyRepo } from '../store/peer-keys.js';
import type { NodeKeys } from './node-keys.js';
import type { TrustedKeys } from './trusted-keys.js';

/** One key of another node's /.well-known/zhengzhao/keys, checked. */
export interface FetchedKey {
  kid: string;
  use: 'sign' | 'encrypt';
  publicKeyHex: string;
  validFrom?: string;
  validTo?: string;
}

/** Who published a set of keys, as this node files them. */
export interface KeyOwner { owner: string; name?: string; dataSource?: string; areaCodes?: string[] }

/** How long the learned keys are taken as current before an unknown kid makes this process read them again. */
const REFRESH_MS = 30_000;

/**
 * The public keys of other nodes this node has learned: from a YRD peer's own well-known document,
 * from a hub's members (on a hub), or from the hub's network keys (on a province). Learned signing
 * keys become trusted for layout files (TrustedKeys) and are found by kid for the signatures the
 * direct channel and trusted tokens carry; learned encryption keys are what this node seals to.
 */
export class PeerKeys {
  private byKid = new Map<string, Set<string>>();
  private loadedAt = -Infinity;

  constructor(
    private readonly repo: PeerKeyRepo,
    private readonly nodeKeys: NodeKeys,
    private readonly trusted: TrustedKeys,
    private readonly now: () => number = Date.now,
  ) {}

  /** Files what an owner publishes now, replacing what it published before. */
  async learn(who: KeyOwner, keys: readonly FetchedKey[], learnedFrom: string): Promise<KnownKey[]> {
    const before = await this.repo.list(who.owner);
    const known: KnownKey[] = keys.map((k) => ({
      owner: who.owner, kid: k.kid, use: k.use, publicKeyHex: k.publicKeyHex, name: who.name, dataSource: who.dataSource,
      areaCodes: who.areaCodes ?? [], validFrom: k.validFrom, validTo: k.validTo, learnedFrom,
    }));
    await this.repo.replaceOwner(who.owner, known);
    const kept = new Set(known.map((k) => k.publicKeyHex));
    for (const k of before) if (k.use === 'sign' && !kept.has(k.publicKeyHex)) this.trusted.remove(k.publicKeyHex);
    for (const k of known) {
      if (k.use === 'sign') this.trusted.add(k.publicKeyHex, k.validFrom ? Date.parse(k.validFrom) : 0, k.validTo ? Date.parse(k.validTo) : undefined);
    }
    this.invalidate();
    return known;
  }

  /** Drops an owner's keys (its node left the registry). */
  async forget(owner: string): Promise<void> {
    for (const k of await this.repo.list(owner)) if (k.use === 'sign') this.trusted.remove(k.publicKeyHex);
    await this.repo.removeOwner(owner);
    this.invalidate();
  }

  /** Every learned key, or an owner's (a prefix: 'peer:', 'member:151'). */
  list(ownerPrefix?: string): Promise<KnownKey[]> {
    return this.repo.list(ownerPrefix);
  }

  /** The signing keys learned, for TrustedKeys to read. */
  async signingKeys(): Promise<KnownKey[]> {
    return (await this.repo.list()).filter((k) => k.use === 'sign');
  }

  /** The key an owner wants envelopes sealed to: its newest published encryption key. */
  async encryptionKeyOf(owner: string): Promise<KnownKey | undefined> {
    const keys = (await this.repo.list(owner)).filter((k) => k.owner === owner && k.use === 'encrypt');
    return keys.sort((a, b) => (b.validFrom ?? '').localeCompare(a.validFrom ?? ''))[0];
  }

  /**
   * The public key (04 ‖ x ‖ y, hex) of a signing key by its kid: this node's own, current or
   * retired, or one learned from another node. Undefined when unknown, or when two nodes publish
   * different keys under one kid (which key signed would then be a guess).
   */
  async signingKeyOf(kid: string): Promise<string | undefined> {
    if (!this.byKid.has(kid) && this.now() - this.loadedAt > REFRESH_MS) await this.reload();
    const keys = this.byKid.get(kid);
    return keys && keys.size === 1 ? [...keys][0] : undefined;
  }

  /** What this process changed is seen by its next lookup. */
  private invalidate(): void {
    this.byKid = new Map();
    this.loadedAt = -Infinity;
  }

  private async reload(): Promise<void> {
    const byKid = new Map<string, Set<string>>();
    for (const k of [...await this.nodeKeys.published(), ...await this.signingKeys()]) {
      let set = byKid.get(k.kid);
      if (!set) byKid.set(k.kid, (set = new Set()));
      set.add(k.publicKeyHex);
    }
    this.byKid = byKid;
    this.loadedAt = this.now();
  }
}
