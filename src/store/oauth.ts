import type { Queryable, Db } from './db.js';

export interface OAuthClientRow { client_id: string; name: string; secret_hash: string; scopes: string[]; created_at: Date | string }
export interface OAuthUserRow {
  username: string; name: string; password_hash: string; roles: string[]; dept_name: string | null; disabled: boolean;
  failed_logins: number; locked_until: Date | string | null; created_at: Date | string;
}
export interface OAuthTokenRow {
  client_id: string; username: string; scope: string; expires_at: Date | string; refresh_expires_at: Date | string;
  revoked_at: Date | string | null; revoked_reason: string | null;
}
export interface TokenWithUser extends OAuthTokenRow { name: string; roles: string[]; dept_name: string | null; disabled: boolean }

export interface NewTokenRow {
  accessHash: Buffer; refreshHash: Buffer; clientId: string; username: string; scope: string; expiresAt: Date; refreshExpiresAt: Date;
}

/** OAuth2 clients, users (with their login state and interface roles) and tokens, kept only as hashes. */
export class OAuthRepo {
  constructor(private readonly db: Db) {}

  async insertClient(clientId: string, name: string, secretHash: string, scopes: string[]): Promise<boolean> {
    return (await this.db.query(
      'insert into oauth_clients (client_id, name, secret_hash, scopes) values ($1, $2, $3, $4) on conflict (client_id) do nothing returning client_id',
      [clientId, name, secretHash, scopes],
    )).length === 1;
  }

  async client(clientId: string): Promise<OAuthClientRow | undefined> {
    return (await this.db.query<OAuthClientRow>('select * from oauth_clients where client_id = $1', [clientId]))[0];
  }

  async clients(): Promise<OAuthClientRow[]> {
    return this.db.query<OAuthClientRow>('select * from oauth_clients order by client_id');
  }

  async insertUser(u: { username: string; name: string; passwordHash: string; roles: string[]; deptName?: string }): Promise<boolean> {
    return (await this.db.query(
      `insert into oauth_users (username, name, password_hash, roles, dept_name) values ($1, $2, $3, $4, $5)
       on conflict (username) do nothing returning username`,
      [u.username, u.name, u.passwordHash, u.roles, u.deptName ?? null],
    )).length === 1;
  }

  async user(username: string): Promise<OAuthUserRow | undefined> {
    return (await this.db.query<OAuthUserRow>('select * from oauth_users where username = $1', [username]))[0];
  }

  async users(): Promise<OAuthUserRow[]> {
    return this.db.query<OAuthUserRow>('select * from oauth_users order by username');
  }

  async recordFailure(username: string, lockAfter: number, lockSeconds: number): Promise<void> {
    await this.db.query(
      `update oauth_users set failed_logins = failed_logins + 1,
         locked_until = case when failed_logins + 1 >= $2 then now() + make_interval(secs => $3) else locked_until end
       where username = $1`,
      [username, lockAfter, lockSeconds],
    );
  }

  async clearFailures(username: string): Promise<void> {
    await this.db.query('update oauth_users set failed_logins = 0, locked_until = null where username = $1 and (failed_logins > 0 or locked_until is not null)', [username]);
  }

  async insertToken(t: NewTokenRow, q: Queryable = this.db): Promise<void> {
    await q.query(
      `insert into oauth_tokens (access_hash, refresh_hash, client_id, username, scope, expires_at, refresh_expires_at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [t.accessHash, t.refreshHash, t.clientId, t.username, t.scope, t.expiresAt, t.refreshExpiresAt],
    );
  }

  /** One read per authenticated call: the token with its user's roles and state. */
  async byAccess(accessHash: Buffer): Promise<TokenWithUser | undefined> {
    return (await this.db.query<TokenWithUser>(
      `select t.client_id, t.username, t.scope, t.expires_at, t.refresh_expires_at, t.revoked_at, t.revoked_reason,
              u.name, u.roles, u.dept_name, u.disabled
       from oauth_tokens t join oauth_users u on u.username = t.username where t.access_hash = $1`,
      [accessHash], 'oauth-token-by-access',
    ))[0];
  }

  async byRefresh(refreshHash: Buffer): Promise<OAuthTokenRow | undefined> {
    return (await this.db.query<OAuthTokenRow>(
      'select client_id, username, scope, expires_at, refresh_expires_at, revoked_at, revoked_reason from oauth_tokens where refresh_hash = $1',
      [refreshHash],
    ))[0];
  }

  /** Replaces a token pair by a new one in one transaction; false when the old pair was already revoked (a concurrent refresh). */
  async rotate(oldRefreshHash: Buffer, next: NewTokenRow): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const revoked = await tx.query(
        `update oauth_tokens set revoked_at = now(), revoked_reason = 'refreshed' where refresh_hash = $1 and revoked_at is null returning username`,
        [oldRefreshHash],
      );
      if (revoked.length !== 1) return false;
      await this.insertToken(next, tx);
      return true;
    });
  }

  /** Revokes a user's live pairs (those whose refresh token has not expired: the rest are dead already); returns how many. */
  async revokeUser(username: string, now: Date): Promise<number> {
    return (await this.db.query(
      `update oauth_tokens set revoked_at = now(), revoked_reason = 'revoked'
       where username = $1 and revoked_at is null and refresh_expires_at > $2 returning username`,
      [username, now],
    )).length;
  }

  /** Rows whose refresh token expired long ago tell nothing any more. */
  async purge(username: string, before: Date): Promise<void> {
    await this.db.query('delete from oauth_tokens where username = $1 and refresh_expires_at < $2', [username, before]);
  }
}
