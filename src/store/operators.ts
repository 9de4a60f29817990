import type { Queryable } from './db.js';

/** What seals an operator's ID number at rest (the node's Keyring). */
export interface FieldSealer { seal(plain: string, context: string): Buffer; open(sealed: Uint8Array, context: string): Buffer }

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
  account: string; name: string; identity_num: string | null; identity_sealed?: Uint8Array | null; role: string | null; service_org: string | null; division: string | null;
  division_code: string | null; sensitive_access: boolean; password_hash: string; failed_logins: number; locked_until: Date | string | null; creator: string | null;
  created_at: Date | string; modifier: string | null; modified_at: Date | string;
}

const identityContext = (account: string) => `operator-identity:${account}`;

const toOperator = (r: OperatorRow, sealer?: FieldSealer): Operator => ({
  account: r.account, name: r.name,
  identityNum: r.identity_sealed && sealer ? sealer.open(r.identity_sealed, identityContext(r.account)).toString('utf8') : r.identity_num ?? undefined, role: r.role ?? undefined, serviceOrg: r.service_org ?? undefined,
  division: r.division ?? undefined, divisionCode: r.division_code ?? undefined, sensitiveAccess: r.sensitive_access, creator: r.creator ?? undefined,
  createdAt: new Date(r.created_at), modifier: r.modifier ?? undefined, modifiedAt: new Date(r.modified_at),
});

export interface SessionRow { app_key: string; account: string; org_code: string | null; last_seen: Date | string; expires_at: Date | string; ended_at: Date | string | null }

/** Apps (app_key / app_secret), operators with their login state, and sessions. */
export class OperatorRepo {
  /** @param sealer seals operators' ID numbers; without it (tests of sessions alone) they are kept as given. */
  constructor(private readonly db: Queryable, private readonly sealer?: FieldSealer) {}

  /**
   * Seals the ID numbers that rows written before migration 21 keep in plaintext. Run on start by
   * every process; a row another process sealed meanwhile is left as it is.
   */
  async sealPlainIdentities(): Promise<number> {
    if (!this.sealer) return 0;
    const rows = await this.db.query<{ account: string; identity_num: string }>('select account, identity_num from operators where identity_num is not null');
    for (const r of rows) {
      await this.db.query('update operators set identity_sealed = $2, identity_num = null where account = $1 and identity_num = $3',
        [r.account, this.sealer.seal(r.identity_num, identityContext(r.account)), r.identity_num]);
    }
    return rows.length;
  }

  async insertApp(appKey: string, name: string, secretHash: string): Promise<void> {
    await this.db.query('insert into apps (app_key, name, secret_hash) values ($1, $2, $3)', [appKey, name, secretHash]);
  }

  async appSecretHash(appKey: string): Promise<string | undefined> {
    return (await this.db.query<{ secret_hash: string }>('select secret_hash from apps where app_key = $1', [appKey]))[0]?.secret_hash;
  }

  async insertOperator(o: Omit<Operator, 'createdAt' | 'modifiedAt'>, passwordHash: string): Promise<boolean> {
    const rows = await this.db.query(
      `insert into operators (account, name, identity_num, role, service_org, division, division_code, password_hash, creator, modifier, sensitive_access, identity_sealed)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11) on conflict (account) do nothing returning account`,
      [o.account, o.name, this.sealer ? null : o.identityNum ?? null, o.role ?? null, o.serviceOrg ?? null, o.division ?? null, o.divisionCode ?? null, passwordHash,
        o.creator ?? null, o.sensitiveAccess === true,
        this.sealer && o.identityNum ? this.sealer.seal(o.identityNum, identityContext(o.account)) : null],
    );
    return rows.length === 1;
  }

  async operatorWithSecret(account: string): Promise<{ operator: Operator; passwordHash: string; failedLogins: number; lockedUntil?: Date } | undefined> {
    const r = (await this.db.query<OperatorRow>('select * from operators where account = $1', [account]))[0];
    if (!r) return undefined;
    return { operator: toOperator(r, this.sealer), passwordHash: r.password_hash, failedLogins: r.failed_logins, lockedUntil: r.locked_until ? new Date(r.locked_until) : undefined };
  }

  async listApps(): Promise<Array<{ appKey: string; name: string; createdAt: string }>> {
    const rows = await this.db.query<{ app_key: string; name: string; created_at: Date }>('select app_key, name, created_at from apps order by created_at, app_key');
    return rows.map((r) => ({ appKey: r.app_key, name: r.name, createdAt: new Date(r.created_at).toISOString() }));
  }

  async listOperators(): Promise<Operator[]> {
    return (await this.db.query<OperatorRow>('select * from operators order by account')).map((r) => toOperator(r, this.sealer));
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
