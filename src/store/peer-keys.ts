import type { Db, Queryable } from './db.js';

/** A public key of another node, as this node learned it. */
export interface KnownKey {
  /** Whose key: peer:<area> (a YRD peer), member:<dataSource> (a hub's member), network:<dataSource> or hub (learned from the hub). */
  owner: string;
  kid: string;
  use: 'sign' | 'encrypt';
  publicKeyHex: string;
  name?: string;
  dataSource?: string;
  areaCodes: string[];
  validFrom?: string;
  validTo?: string;
  learnedFrom: string;
  learnedAt?: string;
}

interface Row {
  owner: string; kid: string; use: 'sign' | 'encrypt'; public_key: string; name: string | null; data_source: string | null; area_codes: string[];
  valid_from: Date | string | null; valid_to: Date | string | null; learned_from: string; learned_at: Date | string;
}

const iso = (v: Date | string | null) => (v === null ? undefined : new Date(v).toISOString());

/** The peer_keys table: what each owner published when it was last read. */
export class PeerKeyRepo {
  constructor(private readonly db: Db) {}

  /** Replaces everything known of an owner by what it publishes now (a key it dropped is dropped here too). */
  async replaceOwner(owner: string, keys: readonly KnownKey[]): Promise<void> {
    const run = async (tx: Queryable) => {
      await tx.query('delete from peer_keys where owner = $1', [owner]);
      for (const k of keys) {
        await tx.query(
          `insert into peer_keys (owner, kid, use, public_key, name, data_source, area_codes, valid_from, valid_to, learned_from)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict do nothing`,
          [owner, k.kid, k.use, k.publicKeyHex, k.name ?? null, k.dataSource ?? null, k.areaCodes, k.validFrom ?? null, k.validTo ?? null, k.learnedFrom],
        );
      }
    };
    await this.db.transaction(run);
  }

  async removeOwner(owner: string): Promise<void> {
    await this.db.query('delete from peer_keys where owner = $1', [owner]);
  }

  /** Every known key, or those of owners starting with `ownerPrefix`. */
  async list(ownerPrefix?: string): Promise<KnownKey[]> {
    const rows = ownerPrefix === undefined
      ? await this.db.query<Row>('select * from peer_keys order by owner, use, valid_from nulls first, kid')
      : await this.db.query<Row>('select * from peer_keys where starts_with(owner, $1) order by owner, use, valid_from nulls first, kid', [ownerPrefix]);
    return rows.map((r) => ({
      owner: r.owner, kid: r.kid, use: r.use, publicKeyHex: r.public_key, ...(r.name ? { name: r.name } : {}),
      ...(r.data_source ? { dataSource: r.data_source } : {}), areaCodes: r.area_codes,
      ...(r.valid_from ? { validFrom: iso(r.valid_from) } : {}), ...(r.valid_to ? { validTo: iso(r.valid_to) } : {}),
      learnedFrom: r.learned_from, learnedAt: iso(r.learned_at),
    }));
  }
}
