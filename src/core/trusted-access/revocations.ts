/**
 * What other issuers revoked, as this node last heard it: each issuer's list of revoked token IDs
 * (GET /yrd/v1/revoked on the issuer), replaced whole on each pull. `refresh` runs the pull hook of
 * every issuer whose list is older than `maxAgeMs` before a token of theirs is checked; a failed
 * pull keeps the last list (a peer being down must not make its revoked tokens valid again).
 */
export type RevocationPull = (issuerArea: string) => Promise<readonly string[]>;

export class PeerRevocations {
  private readonly lists = new Map<string, { ids: Set<string>; at: number }>();

  constructor(private pull?: RevocationPull, private readonly maxAgeMs = 60_000, private readonly now: () => number = Date.now) {}

  /** The integrator's hook: how to fetch an issuer's list. */
  setPull(pull: RevocationPull): void {
    this.pull = pull;
  }

  replace(issuerArea: string, ids: readonly string[]): void {
    this.lists.set(issuerArea, { ids: new Set(ids), at: this.now() });
  }

  async isRevoked(issuerArea: string, tokenId: string): Promise<boolean> {
    const held = this.lists.get(issuerArea);
    if (this.pull && (!held || this.now() - held.at > this.maxAgeMs)) {
      try {
        this.replace(issuerArea, await this.pull(issuerArea));
      } catch {
        // keep what we had; see the class comment
      }
    }
    return this.lists.get(issuerArea)?.ids.has(tokenId) ?? false;
  }
}
