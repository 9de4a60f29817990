import type { Queryable } from './db.js';

export type ConsoleRole = 'administrator' | 'issuer' | 'auditor';
export const CONSOLE_ROLES: readonly ConsoleRole[] = ['administrator', 'issuer', 'auditor'];

/** A person who signs in to the operator console. */
export interface ConsoleOperator {
  account: string;
  name: string;
  role: ConsoleRole;
  /** The issuing organisation an issuer acts for (unified social credit code), and its name. */
  orgCode?: string;
  orgName?: string;
  createdAt: string;
}

interface Row {
  account: string; name: string; role: ConsoleRole; org_code: string | null; org_name: string | null; password_hash: string;
  failed_logins: number; locked_until: Date | string | null; created_at: Date | string;
}

const toOperator = (r: Row): ConsoleOperator => ({
  account: r.account, name: r.name, role: r.role, ...(r.org_code ? { orgCode: r.org_code } : {}), ...(r.org_name ? { orgName: r.org_name } : {}),
  createdAt: new Date(r.created_at).toISOString(),
});

/** Console operators, their failed sign-ins, and their sessions (by the SM3 of the session token). */
export class ConsoleOperatorRepo {
  constructor(private readonly db: Queryable) {}

  async insert(o: Omit<ConsoleOperator, 'createdAt'>, passwordHash: string): Promise<ConsoleOperator | undefined> {
    const rows = await this.db.query<Row>(
      `insert into console_operators (account, name, role, org_code, org_name, password_hash) values ($1, $2, $3, $4, $5, $6)
       on conflict (account) do nothing returning *`,
      [o.account, o.name, o.role, o.orgCode ?? null, o.orgName ?? null, passwordHash],
    );
    return rows[0] ? toOperator(rows[0]) : undefined;
  }

  async list(): Promise<ConsoleOperator[]> {
    return (await this.db.query<Row>('select * from console_operators order by account')).map(toOperator);
  }

  async withSecret(account: string): Promise<{ operator: ConsoleOperator; passwordHash: string; lockedUntil?: Date } | undefined> {
    const r = (await this.db.query<Row>('select * from console_operators where account = $1', [account]))[0];
    return r ? { operator: toOperator(r), passwordHash: r.password_hash, ...(r.locked_until ? { lockedUntil: new Date(r.locked_until) } : {}) } : undefined;
  }

  async recordFailure(account: string, lockAfter: number, lockSeconds: number): Promise<void> {
    await this.db.query(
      `update console_operators set failed_logins = failed_logins + 1,
         locked_until = case when failed_logins + 1 >= $2 then now() + make_interval(secs => $3) else locked_until end
       where account = $1`,
      [account, lockAfter, lockSeconds],
    );
  }

  async clearFailures(account: string): Promise<void> {
    await this.db.query('update console_operators set failed_logins = 0, locked_until = null where account = $1', [account]);
  }

  async insertSession(tokenHash: Buffer, account: string): Promise<void> {
    await this.db.query('insert into console_sessions (token_hash, account) values ($1, $2)', [tokenHash, account]);
  }

  /** The live session behind a token hash and its operator; sessions idle longer than idleSeconds or older than maxSeconds are not live. */
  async liveSession(tokenHash: Buffer, idleSeconds: number, maxSeconds: number): Promise<{ operator: ConsoleOperator; idleFor: number } | undefined> {
    const r = (await this.db.query<Row & { idle_for: number }>(
      `select o.*, extract(epoch from now() - s.last_seen)::float8 as idle_for from console_sessions s join console_operators o on o.account = s.account
       where s.token_hash = $1 and s.ended_at is null and s.last_seen > now() - make_interval(secs => $2) and s.created_at > now() - make_interval(secs => $3)`,
      [tokenHash, idleSeconds, maxSeconds],
    ))[0];
    return r ? { operator: toOperator(r), idleFor: Number(r.idle_for) } : undefined;
  }

  async touchSession(tokenHash: Buffer): Promise<void> {
    await this.db.query('update console_sessions set last_seen = now() where token_hash = $1 and ended_at is null', [tokenHash]);
  }

  /** Ends the session; ended sessions are deleted, with any other ended or long-idle ones, so nothing of them is kept. */
  async endSession(tokenHash: Buffer, idleSeconds: number): Promise<void> {
    await this.db.query('delete from console_sessions where token_hash = $1 or ended_at is not null or last_seen < now() - make_interval(secs => $2)', [tokenHash, idleSeconds]);
  }
}
