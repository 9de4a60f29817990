import type { Queryable } from './db.js';

/** A person acting inside a calling system (Beijing UserInfo). */
export interface Operator {
  account: string;
  name: string;
  identityNum?: string;
  role?: string;
  serviceOrg?: string;
  division?: string;
  divisionCode?: string;
  /** May see sensitive fields unmasked when a call asks to (Beijing table 14 show_sensitive_data). */
  sensitiveAccess?: boolean;
  creator?: string;
  createdAt: Date;
  modifier?: string;
  modifiedAt: Date;
}

interface OperatorRow {
  account: string; name: string; identity_num: string | null; role: string | null; service_org: string | null; division: string | null;
  division_code: string | null; sensitive_access: boolean; password_hash: string; failed_logins: number; locked_until: Date | string | null; creator: string | null;
  created_at: Date | string; modifier: string | null; modified_at: Date | string;
}

const toOperator = (r: OperatorRow): Operator => ({
  account: r.account, name: r.name, identityNum: r.identity_num ?? undefined, role: r.role ?? undefined, serviceOrg: r.service_org ?? undefined,
  division: r.division ?? undefined, divisionCode: r.division_code ?? undefined, sensitiveAccess: r.sensitive_access, creator: r.creator ?? undefined,
  createdAt: new Date(r.created_at), modifier: r.modifier ?? undefined, modifiedAt: new Date(r.modified_at),
});

export interface SessionRow { app_key: string; account: string; org_code: string | null; last_seen: Date | string; expires_at: Date | string; ended_at: Date | string | null }

/** Apps (app_key / app_secret), operators with their login state, and sessions. */
export class OperatorRepo {
  constructor(private readonly db: Queryable) {}

  async insertApp(appKey: string, name: string, secretHash: string): Promise<void> {
    await this.db.query('insert into apps (app_key, name, secret_hash) values ($1, $2, $3)', [appKey, name, secretHash]);
  }

  async appSecretHash(appKey: string): Promise<string | undefined> {
    return (await this.db.query<{ secret_hash: string }>('select secret_hash from apps where app_key = $1', [appKey]))[0]?.secret_hash;
  }

  async insertOperator(o: Omit<Operator, 'createdAt' | 'modifiedAt'>, passwordHash: string): Promise<boolean> {
    const rows = await this.db.query(
      `insert into operators (account, name, identity_num, role, service_org, division, division_code, password_hash, creator, modifier, sensitive_access)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) on conflict (account) do nothing returning account`,
      [o.account, o.name, o.identityNum ?? null, o.role ?? null, o.serviceOrg ?? null, o.division ?? null, o.divisionCode ?? null, passwordHash,
        o.creator ?? null, o.sensitiveAccess === true],
    );
    return rows.length === 1;
  }

  async operatorWithSecret(account: string): Promise<{ operator: Operator; passwordHash: string; failedLogins: number; lockedUntil?: Date } | undefined> {
    const r = (await this.db.query<OperatorRow>('select * from operators where account = $1', [account]))[0];
    if (!r) return undefined;
    return { operator: toOperator(r), passwordHash: r.password_hash, failedLogins: r.failed_logins, lockedUntil: r.locked_until ? new Date(r.locked_until) : undefined };
  }

  async listApps(): Promise<Array<{ appKey: string; name: string; createdAt: string }>> {
    const rows = await this.db.query<{ app_key: string; name: string; created_at: Date }>('select app_key, name, created_at from apps order by created_at, app_key');
    return rows.map((r) => ({ appKey: r.app_key, name: r.name, createdAt: new Date(r.created_at).toISOString() }));
  }

  async listOperators(): Promise<Operator[]> {
    return (await this.db.query<OperatorRow>('select * from operators order by account')).map(toOperator);
  }

  async operator(account: string): Promise<Operator | undefined> {
    return (await this.operatorWithSecret(account))?.operator;
  }

  async recordFailure(account: string, lockAfter: number, lockSeconds: number): Promise<void> {
    await this.db.query(
      `update operators set failed_logins = failed_logins + 1,
         locked_until = case when failed_logins + 1 >= $2 then now() + make_interval(secs => $3) else locked_until end
       where account = $1`,
      [account, lockAfter, lockSeconds],
    );
  }

  async clearFailures(account: string): Promise<void> {
    await this.db.query('update operators set failed_logins = 0, locked_until = null where account = $1', [account]);
  }

  async insertSession(tokenHash: Buffer, appKey: string, account: string, orgCode: string | undefined, ttlSeconds: number): Promise<void> {
    await this.db.query(
      `insert into sessions (token_hash, app_key, account, org_code, expires_at) values ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [tokenHash, appKey, account, orgCode ?? null, ttlSeconds],
    );
  }

  async session(tokenHash: Buffer): Promise<SessionRow | undefined> {
    return (await this.db.query<SessionRow>('select app_key, account, org_code, last_seen, expires_at, ended_at from sessions where token_hash = $1', [tokenHash], 'session-by-token'))[0];
  }

  async touchSession(tokenHash: Buffer): Promise<void> {
    await this.db.query('update sessions set last_seen = now() where token_hash = $1', [tokenHash]);
  }

  async endSession(tokenHash: Buffer): Promise<boolean> {
    return (await this.db.query('update sessions set ended_at = now() where token_hash = $1 and ended_at is null returning account', [tokenHash])).length === 1;
  }
}
