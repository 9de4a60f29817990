import type { Queryable } from './db.js';

/** What this node keeps of a trusted token it issued: enough to revoke it and to publish the revocation. */
export interface IssuedToken {
  id: string;
  appId: string;
  holderIndex: Buffer;
  permission: string;
  authType: string;
  transactionId: string;
  location?: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** A token as the operator lists it: who got it, for what, and whether it is still good. */
export interface IssuedTokenListing extends Omit<IssuedToken, 'holderIndex'> {
  revokedAt?: Date;
}

export class TrustedTokenRepo {
  constructor(private readonly db: Queryable) {}

  async insert(t: IssuedToken): Promise<void> {
    await this.db.query(
      `insert into trusted_tokens (id, app_id, holder_bidx, permission, auth_type, transaction_id, location, issued_at, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [t.id, t.appId, t.holderIndex, t.permission, t.authType, t.transactionId, t.location ?? null, t.issuedAt, t.expiresAt],
    );
  }

  /** undefined: no such token; otherwise who got it and whether it is revoked. */
  async state(id: string): Promise<{ appId: string; revoked: boolean; expiresAt: Date } | undefined> {
    const r = (await this.db.query<{ app_id: string; revoked_at: unknown; expires_at: Date | string }>(
      'select app_id, revoked_at, expires_at from trusted_tokens where id = $1', [id], 'trusted-token-state'))[0];
    return r && { appId: r.app_id, revoked: r.revoked_at !== null, expiresAt: new Date(r.expires_at) };
  }

  /** Revokes (idempotently); `appId` limits it to the app the token was issued to. True when such a token exists. */
  async revoke(id: string, appId?: string): Promise<boolean> {
    const rows = await this.db.query(
      `update trusted_tokens set revoked_at = coalesce(revoked_at, now()) where id = $1 ${appId ? 'and app_id = $2' : ''} returning id`,
      appId ? [id, appId] : [id]);
    return rows.length === 1;
  }

  /**
   * Tokens issued, newest first: by default only those still good (neither expired nor revoked);
   * `all` adds the others. The holder is never stored, only its blind index, which `holderIndex` matches.
   */
  async list(opts: { appId?: string; holderIndex?: Buffer; all?: boolean; limit: number }): Promise<IssuedTokenListing[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (!opts.all) where.push('revoked_at is null and expires_at > now()');
    if (opts.appId) where.push(`app_id = $${args.push(opts.appId)}`);
    if (opts.holderIndex) where.push(`holder_bidx = $${args.push(opts.holderIndex)}`);
    const rows = await this.db.query<{ id: string; app_id: string; permission: string; auth_type: string; transaction_id: string; location: string | null;
      issued_at: Date | string; expires_at: Date | string; revoked_at: Date | string | null }>(
      `select id, app_id, permission, auth_type, transaction_id, location, issued_at, expires_at, revoked_at from trusted_tokens
        ${where.length ? `where ${where.join(' and ')}` : ''} order by issued_at desc, id limit $${args.push(opts.limit)}`, args);
    return rows.map((r) => ({
      id: r.id, appId: r.app_id, permission: r.permission, authType: r.auth_type, transactionId: r.transaction_id,
      ...(r.location ? { location: r.location } : {}),
      issuedAt: new Date(r.issued_at), expiresAt: new Date(r.expires_at), ...(r.revoked_at ? { revokedAt: new Date(r.revoked_at) } : {}),
    }));
  }

  /** Revoked tokens not yet expired: once expired a token is refused anyway, so the list stays short. */
  async revokedUnexpired(): Promise<{ id: string; expiresAt: Date }[]> {
    const rows = await this.db.query<{ id: string; expires_at: Date | string }>(
      'select id, expires_at from trusted_tokens where revoked_at is not null and expires_at > now() order by id');
    return rows.map((r) => ({ id: r.id, expiresAt: new Date(r.expires_at) }));
  }
}
