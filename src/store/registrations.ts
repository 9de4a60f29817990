import type { Queryable } from './db.js';

export type RegistrationStatus = 'pending' | 'approved' | 'rejected';

/** A calling system that registered itself (DB51/T 2942 6.6). */
export interface Registration {
  accountId: string;
  systemName: string;
  systemIp: string;
  deptCode: string;
  deptName: string;
  status: RegistrationStatus;
  registeredAt: string;
  decidedAt: string | null;
}

interface Row {
  account_id: string; system_name: string; system_ip: string; dept_code: string; dept_name: string;
  status: RegistrationStatus; registered_at: Date | string; decided_at: Date | string | null;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
const fromRow = (r: Row): Registration => ({
  accountId: r.account_id, systemName: r.system_name, systemIp: r.system_ip, deptCode: r.dept_code, deptName: r.dept_name,
  status: r.status, registeredAt: iso(r.registered_at)!, decidedAt: iso(r.decided_at),
});

export class RegistrationRepo {
  constructor(private readonly db: Queryable) {}

  /** Inserts a pending registration unless the system (name and address) is registered already; returns the stored one. */
  async insertOrGet(r: Omit<Registration, 'status' | 'registeredAt' | 'decidedAt'>): Promise<{ registration: Registration; created: boolean }> {
    const inserted = await this.db.query<Row>(
      `insert into registrations (account_id, system_name, system_ip, dept_code, dept_name) values ($1, $2, $3, $4, $5)
       on conflict (system_name, system_ip) do nothing returning *`,
      [r.accountId, r.systemName, r.systemIp, r.deptCode, r.deptName],
    );
    if (inserted[0]) return { registration: fromRow(inserted[0]), created: true };
    const existing = await this.db.query<Row>('select * from registrations where system_name = $1 and system_ip = $2', [r.systemName, r.systemIp]);
    return { registration: fromRow(existing[0]!), created: false };
  }

  async get(accountId: string): Promise<Registration | undefined> {
    const r = (await this.db.query<Row>('select * from registrations where account_id = $1', [accountId], 'registration-get'))[0];
    return r ? fromRow(r) : undefined;
  }

  async list(status?: RegistrationStatus): Promise<Registration[]> {
    const rows = status
      ? await this.db.query<Row>('select * from registrations where status = $1 order by registered_at, account_id', [status])
      : await this.db.query<Row>('select * from registrations order by registered_at, account_id');
    return rows.map(fromRow);
  }

  async setStatus(accountId: string, status: RegistrationStatus, q: Queryable = this.db): Promise<Registration | undefined> {
    const r = (await q.query<Row>(
      'update registrations set status = $2, decided_at = now() where account_id = $1 returning *', [accountId, status],
    ))[0];
    return r ? fromRow(r) : undefined;
  }
}
