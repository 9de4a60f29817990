import { randomBytes, randomUUID } from 'node:crypto';
import { sm3 } from '../crypto/sm3.js';
import { hashSecret, verifySecret } from '../crypto/password.js';
import { INTERFACE_ROLES, type InterfaceRole } from '../domain/interface-roles.js';
import type { OAuthRepo, OAuthTokenRow } from '../store/oauth.js';

export type OAuthProblem =
  /** Unknown client or wrong client secret (RFC 6749 invalid_client). */
  | 'invalid-client'
  /** Wrong username or password, an unknown or foreign refresh token (invalid_grant). */
  | 'invalid-grant'
  /** Too many wrong passwords in a row. */
  | 'locked'
  | 'expired-grant'
  | 'revoked-grant'
  /** A scope the client may not have (invalid_scope). */
  | 'invalid-scope'
  /** Access token unknown, expired, or revoked (by a refresh or by an administrator). */
  | 'invalid-token'
  | 'expired-token'
  | 'revoked-token'
  /** The account lacks the interface role the call needs. */
  | 'insufficient-role';

/** Why a grant or a call was refused, in the core's words; the dialect words it its own way. */
export class OAuthError extends Error {
  constructor(readonly problem: OAuthProblem, readonly detail = '') {
    super(detail ? `${problem}: ${detail}` : problem);
  }
}

export interface OAuthPolicy {
  /** Lifetime of an access token (Zaozhuang 4.3.1: 12 hours). */
  accessTtlSeconds: number;
  /** Lifetime of a refresh token. */
  refreshTtlSeconds: number;
  lockAfter: number;
  lockSeconds: number;
}

/** RFC 6749 5.1, as 4.3.1 shows it. */
export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  tokenType: 'bearer';
  /** Seconds left, rounded down. */
  expiresIn: number;
  scope: string;
}

/** Who an access token speaks for. */
export interface Principal { username: string; name: string; clientId: string; roles: InterfaceRole[]; scope: string; deptName?: string }

export interface NewOAuthUser { username: string; name: string; password?: string; roles: InterfaceRole[]; deptName?: string }

/**
 * OAuth2 (RFC 6749) password and refresh-token grants for the calling systems of an interface that
 * authenticates that way (Zaozhuang 4.3.1): a client (client_id / client_secret) obtains tokens for
 * a user (username / password, issued to a department, 4.2), whose interface roles bound what the
 * token may call.
 *
 * Tokens are random and opaque, stored only as their SM3 hashes, rather than sealed self-contained
 * tokens. Revocation decides it: a refresh revokes the pair it replaces and an administrator can
 * revoke a user's tokens at once, so every call must consult the server anyway, and a sealed token
 * would need a revocation list that is the same lookup with more parts. A lookup by primary key
 * costs one indexed read per call. Hashing means a copy of the table opens nothing. The tokens are
 * UUIDs (122 random bits from the CSPRNG), the shape 4.3.1's example shows, so clients that size
 * their fields on it keep working.
 *
 * Refresh tokens rotate: each refresh returns a new pair and revokes the old one, so a stolen
 * refresh token is good at most until its owner next refreshes.
 */
export class OAuthService {
  constructor(private readonly repo: OAuthRepo, private readonly policy: OAuthPolicy, private readonly now: () => number = Date.now) {}

  async addClient(c: { clientId: string; name: string; secret?: string; scopes?: string[] }): Promise<{ clientId: string; name: string; scopes: string[]; clientSecret?: string }> {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(c.clientId)) throw new Error('client id: 1-64 letters, digits, _ . -');
    if (!c.name.trim()) throw new Error('name is required');
    if (c.secret !== undefined && c.secret.length < 8) throw new Error('client secret: at least 8 characters');
    const scopes = [...new Set(c.scopes && c.scopes.length > 0 ? c.scopes : ['read', 'write'])];
    for (const s of scopes) if (!/^[A-Za-z0-9_:.-]{1,32}$/.test(s)) throw new Error(`scope ${s}: 1-32 letters, digits, _ : . -`);
    const secret = c.secret ?? randomBytes(24).toString('base64url');
    if (!(await this.repo.insertClient(c.clientId, c.name.trim(), await hashSecret(secret), scopes))) throw new Error(`client ${c.clientId} already exists`);
    // A secret given on the command line is known to whoever typed it; a generated one is shown once.
    return { clientId: c.clientId, name: c.name.trim(), scopes, ...(c.secret === undefined ? { clientSecret: secret } : {}) };
  }

  async listClients(): Promise<{ clientId: string; name: string; scopes: string[] }[]> {
    return (await this.repo.clients()).map((r) => ({ clientId: r.client_id, name: r.name, scopes: r.scopes }));
  }

  async addUser(u: NewOAuthUser): Promise<{ username: string; name: string; roles: InterfaceRole[]; deptName?: string; password?: string }> {
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(u.username)) throw new Error('username: 1-64 letters, digits, _ . @ -');
    if (!u.name.trim()) throw new Error('name is required');
    if (u.password !== undefined && u.password.length < 8) throw new Error('password: at least 8 characters');
    const roles = [...new Set(u.roles)];
    if (roles.length === 0) throw new Error(`a user needs at least one interface role (${INTERFACE_ROLES.join(', ')})`);
    for (const r of roles) if (!INTERFACE_ROLES.includes(r)) throw new Error(`unknown interface role ${r} (${INTERFACE_ROLES.join(', ')})`);
    const password = u.password ?? randomBytes(12).toString('base64url');
    const created = await this.repo.insertUser({ username: u.username, name: u.name.trim(), passwordHash: await hashSecret(password), roles, deptName: u.deptName });
    if (!created) throw new Error(`user ${u.username} already exists`);
    return { username: u.username, name: u.name.trim(), roles, ...(u.deptName ? { deptName: u.deptName } : {}), ...(u.password === undefined ? { password } : {}) };
  }

  async listUsers(): Promise<{ username: string; name: string; roles: string[]; deptName?: string; disabled: boolean; locked: boolean }[]> {
    const now = this.now();
    return (await this.repo.users()).map((r) => ({
      username: r.username, name: r.name, roles: r.roles, ...(r.dept_name ? { deptName: r.dept_name } : {}), disabled: r.disabled,
      locked: r.locked_until !== null && new Date(r.locked_until).getTime() > now,
    }));
  }

  /** Revokes every token of a user; returns how many were live. */
  async revokeUser(username: string): Promise<number> {
    if (!(await this.repo.user(username))) throw new Error(`no user ${username}`);
    return this.repo.revokeUser(username, new Date(this.now()));
  }

  /** RFC 6749 4.3: the resource owner password credentials grant. */
  async passwordGrant(g: { clientId: string; clientSecret: string; username: string; password: string; scope?: string }): Promise<TokenGrant> {
    const client = await this.client(g.clientId, g.clientSecret);
    const scope = grantedScope(client.scopes, g.scope);
    const u = await this.repo.user(g.username);
    if (!u) {
      await verifySecret(g.password, DUMMY_HASH); // the same work whether or not the user exists
      throw new OAuthError('invalid-grant');
    }
    if (u.locked_until && new Date(u.locked_until).getTime() > this.now()) throw new OAuthError('locked');
    if (!(await verifySecret(g.password, u.password_hash))) {
      await this.repo.recordFailure(u.username, this.policy.lockAfter, this.policy.lockSeconds);
      throw new OAuthError('invalid-grant');
    }
    if (u.disabled) throw new OAuthError('invalid-grant');
    await this.repo.clearFailures(u.username);
    await this.repo.purge(u.username, new Date(this.now() - 7 * 86_400_000));
    const { grant, row } = this.newPair(client.client_id, u.username, scope);
    await this.repo.insertToken(row);
    return grant;
  }

  /** RFC 6749 6: a new pair for a refresh token, which is then spent. */
  async refreshGrant(g: { clientId: string; clientSecret: string; refreshToken: string; scope?: string }): Promise<TokenGrant> {
    const client = await this.client(g.clientId, g.clientSecret);
    const hash = sm3(g.refreshToken);
    const old = g.refreshToken.length <= 256 ? await this.repo.byRefresh(hash) : undefined;
    if (!old || old.client_id !== client.client_id) throw new OAuthError('invalid-grant', 'refresh_token');
    if (old.revoked_at) throw new OAuthError('revoked-grant', old.revoked_reason ?? '');
    if (new Date(old.refresh_expires_at).getTime() <= this.now()) throw new OAuthError('expired-grant');
    const u = await this.repo.user(old.username);
    if (!u || u.disabled) throw new OAuthError('invalid-grant');
    // RFC 6749 6: a refresh may narrow the scope, never widen it.
    const scope = grantedScope(old.scope.split(' '), g.scope);
    const { grant, row } = this.newPair(client.client_id, old.username, scope);
    if (!(await this.repo.rotate(hash, row))) throw new OAuthError('revoked-grant', 'refreshed');
    return grant;
  }

  /** The principal behind an access token. */
  async authenticate(accessToken: string): Promise<Principal> {
    if (!accessToken || accessToken.length > 256) throw new OAuthError('invalid-token');
    const t = await this.repo.byAccess(sm3(accessToken));
    if (!t) throw new OAuthError('invalid-token');
    if (t.revoked_at) throw new OAuthError('revoked-token', t.revoked_reason ?? '');
    if (expired(t, this.now())) throw new OAuthError('expired-token');
    if (t.disabled) throw new OAuthError('revoked-token', 'disabled');
    return {
      username: t.username, name: t.name, clientId: t.client_id, roles: t.roles.filter((r): r is InterfaceRole => INTERFACE_ROLES.includes(r as InterfaceRole)),
      scope: t.scope, ...(t.dept_name ? { deptName: t.dept_name } : {}),
    };
  }

  /** Refuses a call of an interface in a category the principal does not hold. */
  authorize(p: Principal, role: InterfaceRole): void {
    if (!p.roles.includes(role)) throw new OAuthError('insufficient-role', role);
  }

  private async client(clientId: string, secret: string) {
    const c = clientId.length <= 64 ? await this.repo.client(clientId) : undefined;
    if (!c) {
      await verifySecret(secret, DUMMY_HASH);
      throw new OAuthError('invalid-client');
    }
    if (!(await verifySecret(secret, c.secret_hash))) throw new OAuthError('invalid-client');
    return c;
  }

  private newPair(clientId: string, username: string, scope: string) {
    const now = this.now();
    const accessToken = randomUUID();
    const refreshToken = randomUUID();
    const expiresAt = new Date(now + this.policy.accessTtlSeconds * 1000);
    const row = {
      accessHash: sm3(accessToken), refreshHash: sm3(refreshToken), clientId, username, scope, expiresAt,
      refreshExpiresAt: new Date(now + this.policy.refreshTtlSeconds * 1000),
    };
    const grant: TokenGrant = {
      accessToken, refreshToken, tokenType: 'bearer', scope,
      // Whole seconds left, not counting the one under way: 43199 for 12 hours, as 4.3.1's example shows.
      expiresIn: Math.max(0, Math.floor((expiresAt.getTime() - this.now() - 1) / 1000)),
    };
    return { grant, row };
  }
}

function expired(t: Pick<OAuthTokenRow, 'expires_at'>, now: number): boolean {
  return new Date(t.expires_at).getTime() <= now;
}

/** The scope granted: what was asked for (space-separated), all of it allowed; everything allowed when nothing was asked. */
function grantedScope(allowed: readonly string[], requested: string | undefined): string {
  const asked = [...new Set((requested ?? '').split(/[\s,]+/).filter(Boolean))];
  if (asked.length === 0) return allowed.join(' ');
  const refused = asked.filter((s) => !allowed.includes(s));
  if (refused.length > 0) throw new OAuthError('invalid-scope', refused.join(' '));
  return asked.join(' ');
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
