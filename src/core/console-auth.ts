import { randomBytes } from 'node:crypto';
import type { Db } from '../store/db.js';
import { ConsoleOperatorRepo, CONSOLE_ROLES, type ConsoleOperator, type ConsoleRole } from '../store/console-operators.js';
import { hashSecret, verifySecret } from '../crypto/password.js';
import { sm3 } from '../crypto/sm3.js';
import { isValidCreditCode } from '../domain/holder-code.js';

export interface ConsolePolicy {
  /** A session idle this long ends (seed 002 5.4.4 c). */
  idleSeconds: number;
  /** and any session ends this long after sign-in. */
  maxSeconds: number;
  lockAfter: number;
  lockSeconds: number;
}

export const DEFAULT_CONSOLE_POLICY: ConsolePolicy = { idleSeconds: 900, maxSeconds: 8 * 3600, lockAfter: 5, lockSeconds: 900 };

export class ConsoleAuthError extends Error {
  constructor(readonly problem: 'bad-credentials' | 'locked' | 'bad-operator', message: string) {
    super(message);
  }
}

export interface ConsoleSession { operator: ConsoleOperator; csrfToken: string }

/**
 * Sign-in and sessions of the operator console (seed 002 5.4.2.1 a, 5.4.4). The session token
 * travels only in an HttpOnly cookie; the table keeps its SM3. The CSRF token is derived from the
 * session token (SM3 over a label and the token), so every process on the database computes the
 * same one without storing it, and a page of another origin, which cannot read the cookie, cannot
 * make it.
 */
export class ConsoleAuth {
  readonly repo: ConsoleOperatorRepo;
  constructor(db: Db, readonly policy: ConsolePolicy = DEFAULT_CONSOLE_POLICY) {
    this.repo = new ConsoleOperatorRepo(db);
  }

  /** Adds an operator; answers undefined when the account exists. */
  async addOperator(o: { account: string; name: string; role: ConsoleRole; orgCode?: string; orgName?: string; password: string }): Promise<ConsoleOperator | undefined> {
    if (typeof o.account !== 'string' || !/^[A-Za-z0-9_.@-]{2,64}$/.test(o.account)) throw new ConsoleAuthError('bad-operator', 'account: 2-64 letters, digits or _.@-');
    if (typeof o.name !== 'string' || !o.name.trim()) throw new ConsoleAuthError('bad-operator', 'name is required');
    if (!CONSOLE_ROLES.includes(o.role)) throw new ConsoleAuthError('bad-operator', `role: one of ${CONSOLE_ROLES.join(', ')}`);
    if (o.role === 'issuer' && !(typeof o.orgCode === 'string' && isValidCreditCode(o.orgCode))) throw new ConsoleAuthError('bad-operator', 'an issuer needs orgCode, its organisation\'s unified social credit code');
    if (typeof o.password !== 'string' || o.password.length < 8) throw new ConsoleAuthError('bad-operator', 'password: at least 8 characters');
    return this.repo.insert({ account: o.account, name: o.name.trim(), role: o.role, orgCode: o.role === 'issuer' ? o.orgCode : undefined, orgName: o.orgName },
      await hashSecret(o.password));
  }

  async signIn(account: string, password: string): Promise<ConsoleSession & { token: string }> {
    const found = await this.repo.withSecret(account);
    // One answer for an unknown account and a wrong password: the form must not tell which accounts exist.
    const bad = new ConsoleAuthError('bad-credentials', '账号或密码错误 (wrong account or password)');
    if (!found) throw bad;
    if (found.lockedUntil && found.lockedUntil.getTime() > Date.now()) throw new ConsoleAuthError('locked', '账号已锁定，请稍后再试 (account locked after repeated failures)');
    if (!(await verifySecret(password, found.passwordHash))) {
      await this.repo.recordFailure(account, this.policy.lockAfter, this.policy.lockSeconds);
      throw bad;
    }
    await this.repo.clearFailures(account);
    const token = randomBytes(32).toString('base64url');
    await this.repo.insertSession(sm3(token), account);
    return { token, operator: found.operator, csrfToken: csrfOf(token) };
  }

  /** The operator behind a session token, or undefined once it is ended, idle too long or too old; refreshes the idle clock. */
  async session(token: string): Promise<ConsoleSession | undefined> {
    const hash = sm3(token);
    const live = await this.repo.liveSession(hash, this.policy.idleSeconds, this.policy.maxSeconds);
    if (!live) return undefined;
    // The idle clock is written at most every few seconds: a page's burst of calls costs one update.
    if (live.idleFor > 5) await this.repo.touchSession(hash);
    return { operator: live.operator, csrfToken: csrfOf(token) };
  }

  async signOut(token: string): Promise<void> {
    await this.repo.endSession(sm3(token), this.policy.idleSeconds);
  }
}

export function csrfOf(token: string): string {
  return sm3(`zhengzhao/console-csrf/${token}`).toString('base64url');
}
