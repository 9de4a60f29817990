import type { Queryable } from './db.js';
import { asBuffer } from './db.js';
import type { Keyring } from '../crypto/keyring.js';

export type AccountScheme = 'hmac-sm3' | 'appendix-c';

export interface Account {
  id: string;
  name: string;
  scheme: AccountScheme;
  secret?: string;
  allowedIps: string[];
  disabled: boolean;
}

interface AccountRow { id: string; name: string; scheme: AccountScheme; secret_enc: Uint8Array | null; allowed_ips: string[]; disabled: boolean }

/** Calling systems (接入方). Secrets are sealed, not hashed: HMAC-SM3 tokens need the secret itself. */
export class AccountRepo {
  constructor(private readonly db: Queryable, private readonly keys: Keyring) {}

  async insert(a: Account, q: Queryable = this.db): Promise<boolean> {
    const rows = await q.query(
      `insert into accounts (id, name, scheme, secret_enc, allowed_ips, disabled) values ($1, $2, $3, $4, $5, $6)
       on conflict (id) do nothing returning id`,
      [a.id, a.name, a.scheme, a.secret ? this.keys.seal(a.secret, `account:${a.id}`) : null, a.allowedIps, a.disabled],
    );
    return rows.length === 1;
  }

  async get(id: string): Promise<Account | undefined> {
    const r = (await this.db.query<AccountRow>('select * from accounts where id = $1', [id]))[0];
    if (!r) return undefined;
    return {
      id: r.id,
      name: r.name,
      scheme: r.scheme,
      secret: r.secret_enc ? this.keys.open(asBuffer(r.secret_enc), `account:${r.id}`).toString('utf8') : undefined,
      allowedIps: r.allowed_ips,
      disabled: r.disabled,
    };
  }

  async list(): Promise<Omit<Account, 'secret'>[]> {
    const rows = await this.db.query<AccountRow>('select id, name, scheme, allowed_ips, disabled from accounts order by id');
    return rows.map((r) => ({ id: r.id, name: r.name, scheme: r.scheme, allowedIps: r.allowed_ips, disabled: r.disabled }));
  }
}
