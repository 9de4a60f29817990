import { randomBytes } from 'node:crypto';
import { sm3 } from '../crypto/sm3.js';
import { hashSecret, verifySecret } from '../crypto/password.js';
import type { Operator, OperatorRepo } from '../store/operators.js';

export type SessionProblem = 'bad-app' | 'bad-credentials' | 'locked' | 'no-session' | 'expired' | 'idle' | 'no-department-admin';

/** Why a login or a session was refused, in the core's words; each dialect words it its own way. */
export class SessionError extends Error {
  constructor(readonly problem: SessionProblem) {
    super(problem);
  }
}

export interface SessionPolicy {
  /** A session lasts at most this long (Beijing 6.2: one day). */
  ttlSeconds: number;
  /** An idle session ends after this long (Beijing 5.4.4 c). */
  idleSeconds: number;
  /** This many wrong passwords in a row lock the account... */
  lockAfter: number;
  /** ...for this long. */
  lockSeconds: number;
}

export interface Session { operator: Operator; appKey: string; orgCode?: string }

/**
 * Security sessions of the issuing-side interfaces: an app (app_key/app_secret) logs an operator in
 * with account and password; the access token is random, kept only as its SM3 hash, and ends on
 * logout, after a day, or after the idle timeout. Repeated wrong passwords lock the account.
 */
export class SessionService {
  constructor(private readonly repo: OperatorRepo, private readonly policy: SessionPolicy) {}

  async addApp(name: string): Promise<{ appKey: string; appSecret: string; name: string }> {
    const appKey = `app_${randomBytes(8).toString('hex')}`;
    const appSecret = randomBytes(24).toString('base64url');
    await this.repo.insertApp(appKey, name, await hashSecret(appSecret));
    return { appKey, appSecret, name };
  }

  /** The apps, without their secrets. */
  listApps(): Promise<Array<{ appKey: string; name: string; createdAt: string }>> {
    return this.repo.listApps();
  }

  listOperators(): Promise<Operator[]> {
    return this.repo.listOperators();
  }

  async addOperator(o: Omit<Operator, 'createdAt' | 'modifiedAt'>, password: string): Promise<Operator> {
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(o.account)) throw new Error('account: 1-64 letters, digits, _ . @ -');
    if (password.length < 8) throw new Error('password: at least 8 characters');
    if (o.divisionCode && !/^\d{6}$/.test(o.divisionCode)) throw new Error('division code: 6 digits (GB/T 2260)');
    if (!(await this.repo.insertOperator(o, await hashSecret(password)))) throw new Error(`operator ${o.account} already exists`);
    return (await this.repo.operator(o.account))!;
  }

  async login(appKey: string, appSecret: string, account: string, password: string, orgCode?: string): Promise<string> {
    const appHash = await this.repo.appSecretHash(appKey);
    if (!appHash || !(await verifySecret(appSecret, appHash))) throw new SessionError('bad-app');
    const found = await this.repo.operatorWithSecret(account);
    if (!found) {
      await verifySecret(password, DUMMY_HASH); // the same work whether or not the account exists
      throw new SessionError('bad-credentials');
    }
    if (found.lockedUntil && found.lockedUntil.getTime() > Date.now()) throw new SessionError('locked');
    if (!(await verifySecret(password, found.passwordHash))) {
      await this.repo.recordFailure(account, this.policy.lockAfter, this.policy.lockSeconds);
      throw new SessionError('bad-credentials');
    }
    await this.repo.clearFailures(account);
    // Seed 002 table 1 `org_code`: "log in as the given department's administrator". Operators here
    // hold no department-administrator role to switch to, so such a login is refused rather than
    // quietly opened as the operator's own session (the caller asked for another identity).
    if (orgCode !== undefined && orgCode !== '') throw new SessionError('no-department-admin');
    const token = randomBytes(32).toString('base64url');
    await this.repo.insertSession(sm3(token), appKey, account, orgCode, this.policy.ttlSeconds);
    return token;
  }

  /** The session behind a token; refreshes its idle clock. */
  async session(token: string): Promise<Session> {
    if (!token || token.length > 128) throw new SessionError('no-session');
    const hash = sm3(token);
    const s = await this.repo.session(hash);
    if (!s || s.ended_at) throw new SessionError('no-session');
    const now = Date.now();
    if (new Date(s.expires_at).getTime() <= now) throw new SessionError('expired');
    const lastSeen = new Date(s.last_seen).getTime();
    if (now - lastSeen > this.policy.idleSeconds * 1000) {
      await this.repo.endSession(hash);
      throw new SessionError('idle');
    }
    // Writing last_seen on every call would cost a write per request; a few seconds' precision is enough.
    if (now - lastSeen > Math.min(30_000, (this.policy.idleSeconds * 1000) / 4)) await this.repo.touchSession(hash);
    const operator = await this.repo.operator(s.account);
    if (!operator) throw new SessionError('no-session');
    return { operator, appKey: s.app_key, orgCode: s.org_code ?? undefined };
  }

  async logout(token: string): Promise<void> {
    await this.session(token);
    await this.repo.endSession(sm3(token));
  }
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
