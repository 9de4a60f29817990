import type { NodeKeys } from './node-keys.js';

interface TrustedKey { publicKeyHex: string; validFrom: number; validTo?: number }

/** A key learned from another node, as the store keeps it (ISO times). */
export interface LearnedKey { publicKeyHex: string; validFrom?: string; validTo?: string }

/**
 * How long the stored keys are taken as current: another process on the same database (the command
 * line's sync-keys, another node) learns or drops keys, and this one sees it within this time.
 */
const REFRESH_MS = 5_000;
/** An unknown key looks in the store sooner, but not on every call (a flood of foreign files costs one read a second). */
const MISS_REFRESH_MS = 1_000;

/**
 * The keys whose signatures on layout files this node accepts: its own, current and retired (a
 * rotated key stays valid for what it signed while it was current), and those of other nodes added
 * by the federation. A key counts only for files signed inside its validity.
 */
export class TrustedKeys {
  private own: TrustedKey[] = [];
  private loadedAt = 0;
  private readonly others = new Map<string, TrustedKey>();
  private learned = new Map<string, TrustedKey>();

  /**
   * @param learnedKeys the signing keys other nodes published, as stored (peer-keys.ts): read with the
   * node's own keys, so what another process on the same database learned is trusted here too.
   */
  constructor(
    private readonly nodeKeys: NodeKeys,
    private readonly now: () => number = Date.now,
    private readonly learnedKeys: () => Promise<readonly LearnedKey[]> = async () => [],
  ) {}

  /** A peer node's key, e.g. from its /.well-known/zhengzhao/keys. */
  add(publicKeyHex: string, validFrom = 0, validTo?: number): void {
    this.others.set(publicKeyHex.toLowerCase(), { publicKeyHex: publicKeyHex.toLowerCase(), validFrom, validTo });
  }

  /** A peer's key no longer trusted (its node left the registry). */
  remove(publicKeyHex: string): void {
    this.others.delete(publicKeyHex.toLowerCase());
    this.learned.delete(publicKeyHex.toLowerCase());
  }

  async trusts(publicKeyHex: string, signedAt?: string): Promise<boolean> {
    const hex = publicKeyHex.toLowerCase();
    const age = this.now() - this.loadedAt;
    if (age > REFRESH_MS) await this.reload();
    let key = this.find(hex);
    if (!key && age > MISS_REFRESH_MS && age <= REFRESH_MS) {
      await this.reload();
      key = this.find(hex);
    }
    if (!key) return false;
    if (signedAt === undefined) return key.validTo === undefined;
    const at = Date.parse(signedAt);
    if (!Number.isFinite(at)) return false;
    return at >= key.validFrom - 60_000 && (key.validTo === undefined || at <= key.validTo);
  }

  private find(hex: string): TrustedKey | undefined {
    return this.own.find((k) => k.publicKeyHex === hex) ?? this.others.get(hex) ?? this.learned.get(hex);
  }

  private async reload(): Promise<void> {
    this.own = (await this.nodeKeys.published()).map((k) => ({
      publicKeyHex: k.publicKeyHex.toLowerCase(), validFrom: Date.parse(k.validFrom), ...(k.validTo ? { validTo: Date.parse(k.validTo) } : {}),
    }));
    this.learned = new Map((await this.learnedKeys()).map((k) => [k.publicKeyHex.toLowerCase(), {
      publicKeyHex: k.publicKeyHex.toLowerCase(), validFrom: k.validFrom ? Date.parse(k.validFrom) : 0, ...(k.validTo ? { validTo: Date.parse(k.validTo) } : {}),
    }]));
    this.loadedAt = this.now();
  }
}
