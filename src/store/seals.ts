import type { Queryable } from './db.js';
import { asBuffer } from './db.js';

/** An organisation's electronic seal as stored. */
export interface SealRecord {
  esId: string;
  orgCode: string;
  orgName: string;
  /** DER of the GB/T 38540 SESeal, exactly as its maker signed it. */
  sealDer: Buffer;
  picturePng: Buffer;
  validFrom: Date;
  validTo: Date;
  makerKid: string;
  createdAt: Date;
}

interface SealRow {
  es_id: string; org_code: string; org_name: string; seal_der: Uint8Array; picture_png: Uint8Array;
  valid_from: Date | string; valid_to: Date | string; maker_kid: string; created_at: Date | string;
}

const toRecord = (r: SealRow): SealRecord => ({
  esId: r.es_id, orgCode: r.org_code, orgName: r.org_name, sealDer: asBuffer(r.seal_der), picturePng: asBuffer(r.picture_png),
  validFrom: new Date(r.valid_from), validTo: new Date(r.valid_to), makerKid: r.maker_kid, createdAt: new Date(r.created_at),
});

export class SealRepo {
  constructor(private readonly db: Queryable) {}

  async insert(s: Omit<SealRecord, 'createdAt'>): Promise<SealRecord> {
    const rows = await this.db.query<SealRow>(
      `insert into seals (es_id, org_code, org_name, seal_der, picture_png, valid_from, valid_to, maker_kid)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
      [s.esId, s.orgCode, s.orgName, s.sealDer, s.picturePng, s.validFrom, s.validTo, s.makerKid],
    );
    return toRecord(rows[0]!);
  }

  /** The seal in use for an organisation at a time: the newest whose validity covers it. */
  async current(orgCode: string, at: Date): Promise<SealRecord | undefined> {
    const rows = await this.db.query<SealRow>(
      'select * from seals where org_code = $1 and valid_from <= $2 and valid_to > $2 order by created_at desc, es_id desc limit 1',
      [orgCode, at], 'seal-current',
    );
    return rows[0] && toRecord(rows[0]);
  }

  async byEsId(esId: string): Promise<SealRecord | undefined> {
    const rows = await this.db.query<SealRow>('select * from seals where es_id = $1', [esId], 'seal-by-esid');
    return rows[0] && toRecord(rows[0]);
  }

  async count(orgCode: string): Promise<number> {
    return (await this.db.query<{ n: number }>('select count(*)::int as n from seals where org_code = $1', [orgCode]))[0]!.n;
  }

  /** Every seal without its bytes, by organisation and newest first. */
  async list(): Promise<Omit<SealRecord, 'sealDer' | 'picturePng'>[]> {
    const rows = await this.db.query<Omit<SealRow, 'seal_der' | 'picture_png'>>(
      'select es_id, org_code, org_name, valid_from, valid_to, maker_kid, created_at from seals order by org_code, created_at desc, es_id desc',
    );
    return rows.map((r) => ({
      esId: r.es_id, orgCode: r.org_code, orgName: r.org_name, validFrom: new Date(r.valid_from), validTo: new Date(r.valid_to),
      makerKid: r.maker_kid, createdAt: new Date(r.created_at),
    }));
  }
}
