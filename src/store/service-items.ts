import type { Db } from './db.js';

/** A service item (事项): what a clerk is doing when issuing or using a certificate. */
export interface ServiceItem {
  code: string;
  name: string;
  /** The organisation that handles the item; it is the issuer of what the item issues. */
  orgName: string;
  orgCode: string;
  areaCode?: string;
  /** The certificate types the item may issue and use. */
  typeCodes: string[];
}

interface ItemRow { code: string; name: string; org_name: string; org_code: string; area_code: string | null; type_codes: string[] | null }

const SELECT = `select i.code, i.name, i.org_name, i.org_code, i.area_code,
  array(select type_code from service_item_types t where t.item_code = i.code order by type_code) as type_codes from service_items i`;

const toItem = (r: ItemRow): ServiceItem => ({
  code: r.code, name: r.name, orgName: r.org_name, orgCode: r.org_code, areaCode: r.area_code ?? undefined, typeCodes: r.type_codes ?? [],
});

export class ServiceItemRepo {
  constructor(private readonly db: Db) {}

  async insert(item: ServiceItem): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query(
        'insert into service_items (code, name, org_name, org_code, area_code) values ($1, $2, $3, $4, $5) on conflict do nothing returning code',
        [item.code, item.name, item.orgName, item.orgCode, item.areaCode ?? null],
      );
      if (rows.length === 0) return false;
      for (const t of item.typeCodes) await tx.query('insert into service_item_types (item_code, type_code) values ($1, $2)', [item.code, t]);
      return true;
    });
  }

  async get(code: string): Promise<ServiceItem | undefined> {
    const rows = await this.db.query<ItemRow>(`${SELECT} where i.code = $1`, [code], 'service-item-by-code');
    return rows[0] && toItem(rows[0]);
  }

  async list(): Promise<ServiceItem[]> {
    return (await this.db.query<ItemRow>(`${SELECT} order by i.code`)).map(toItem);
  }
}
