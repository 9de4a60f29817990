import type { Queryable } from './db.js';
import { asBuffer } from './db.js';
import type { Keyring } from '../crypto/keyring.js';
import type { AccountScheme } from './accounts.js';

/** A member node of the hub (a province, a city or a central department), as the hub's registry keeps it. */
export interface MemberNodeEntry {
  /** Appendix H DataSource: the key the aggregated catalog names each certificate's owner by. */
  dataSource: string;
  name: string;
  areaCodes: string[];
  /** Its base URL; its national interface is under baseUrl/elssp/v1. */
  baseUrl: string;
  /** The national account the hub calls it with, and that account's scheme and secret. */
  accountId: string;
  scheme: AccountScheme;
  secret?: string;
  /** The hub's account (accounts.id) this node calls the hub with, if it calls the hub. */
  inboundAccount?: string;
  /** The national interfaces it offers; empty means all of them. */
  services: string[];
}

interface Row {
  data_source: string; name: string; area_codes: string[]; base_url: string; account_id: string; scheme: AccountScheme;
  secret_enc: Uint8Array | null; inbound_account: string | null; services: string[];
}

/** The registry table; secrets are sealed, not hashed, since the hub computes each day's token from them. */
export class NodeRepo {
  constructor(private readonly db: Queryable, private readonly keys: Keyring) {}

  async insert(n: MemberNodeEntry): Promise<boolean> {
    const rows = await this.db.query(
      `insert into member_nodes (data_source, name, area_codes, base_url, account_id, scheme, secret_enc, inbound_account, services)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing returning data_source`,
      [n.dataSource, n.name, n.areaCodes, n.baseUrl, n.accountId, n.scheme,
        n.secret ? this.keys.seal(n.secret, `member-node:${n.dataSource}`) : null, n.inboundAccount ?? null, n.services],
    );
    return rows.length === 1;
  }

  async remove(dataSource: string): Promise<boolean> {
    return (await this.db.query('delete from member_nodes where data_source = $1 returning data_source', [dataSource])).length === 1;
  }

  async list(): Promise<MemberNodeEntry[]> {
    return (await this.db.query<Row>('select * from member_nodes order by data_source')).map((r) => this.toEntry(r));
  }

  /** Whether another node already calls with this account. */
  async byInboundAccount(accountId: string): Promise<MemberNodeEntry | undefined> {
    const r = (await this.db.query<Row>('select * from member_nodes where inbound_account = $1', [accountId]))[0];
    return r && this.toEntry(r);
  }

  private toEntry(r: Row): MemberNodeEntry {
    return {
      dataSource: r.data_source, name: r.name, areaCodes: r.area_codes, baseUrl: r.base_url, accountId: r.account_id, scheme: r.scheme,
      secret: r.secret_enc ? this.keys.open(asBuffer(r.secret_enc), `member-node:${r.data_source}`).toString('utf8') : undefined,
      inboundAccount: r.inbound_account ?? undefined, services: r.services,
    };
  }
}
