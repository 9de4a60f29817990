import type { Queryable } from './db.js';
import type { CertificateType, FieldDefinition, TypeStatus } from '../domain/model.js';
import type { LayoutTemplate } from '../domain/layout-template.js';

interface TypeRow {
  code: string;
  name: string;
  define_authority_name: string | null;
  define_authority_code: string | null;
  related_item_name: string | null;
  related_item_code: string | null;
  holder_category: string | null;
  validity_range: string | null;
  fields: FieldDefinition[];
  status: TypeStatus;
  is_open: boolean;
  layout: LayoutTemplate | null;
}

const toType = (r: TypeRow): CertificateType => ({
  code: r.code,
  name: r.name,
  defineAuthorityName: r.define_authority_name ?? undefined,
  defineAuthorityCode: r.define_authority_code ?? undefined,
  relatedItemName: r.related_item_name ?? undefined,
  relatedItemCode: r.related_item_code ?? undefined,
  holderCategory: r.holder_category ?? undefined,
  validityRange: r.validity_range ?? undefined,
  fields: r.fields,
  status: r.status,
  isOpen: r.is_open,
  ...(r.layout ? { layout: r.layout } : {}),
});

/** The certificate type catalog (证照目录). */
export class CertificateTypeRepo {
  constructor(private readonly db: Queryable) {}

  async get(code: string, q: Queryable = this.db): Promise<CertificateType | undefined> {
    const rows = await q.query<TypeRow>('select * from certificate_types where code = $1', [code]);
    return rows[0] && toType(rows[0]);
  }

  async findByName(name: string): Promise<CertificateType[]> {
    return (await this.db.query<TypeRow>('select * from certificate_types where name = $1 order by code', [name])).map(toType);
  }

  async list(status?: TypeStatus): Promise<CertificateType[]> {
    const rows = status
      ? await this.db.query<TypeRow>('select * from certificate_types where status = $1 order by code', [status])
      : await this.db.query<TypeRow>('select * from certificate_types order by code');
    return rows.map(toType);
  }

  async setStatus(code: string, status: TypeStatus, q: Queryable = this.db): Promise<boolean> {
    const rows = await q.query('update certificate_types set status = $2, updated_at = now() where code = $1 returning code', [code, status]);
    return rows.length === 1;
  }

  async setLayout(code: string, layout: LayoutTemplate | undefined, q: Queryable = this.db): Promise<boolean> {
    const rows = await q.query('update certificate_types set layout = $2, updated_at = now() where code = $1 returning code', [code, layout ? JSON.stringify(layout) : null]);
    return rows.length === 1;
  }

  /** Inserts a type, or leaves an existing one untouched; returns whether it was created. */
  async insertIfMissing(t: CertificateType, q: Queryable = this.db): Promise<boolean> {
    const rows = await q.query(
      `insert into certificate_types (code, name, define_authority_name, define_authority_code, related_item_name,
         related_item_code, holder_category, validity_range, fields, status, is_open, layout)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       on conflict (code) do nothing returning code`,
      [t.code, t.name, t.defineAuthorityName ?? null, t.defineAuthorityCode ?? null, t.relatedItemName ?? null,
        t.relatedItemCode ?? null, t.holderCategory ?? null, t.validityRange ?? null, JSON.stringify(t.fields), t.status, t.isOpen, t.layout ? JSON.stringify(t.layout) : null],
    );
    return rows.length === 1;
  }

  /**
   * Takes a type as another catalog describes it (the hub's F.3 list): a new code is inserted
   * published and open, with no field definitions; a known one gets the description (name,
   * authority, item, holder category, validity range) and keeps its own status and fields.
   */
  async adopt(t: CertificateType, q: Queryable = this.db): Promise<'inserted' | 'updated' | 'unchanged'> {
    if (await this.insertIfMissing({ ...t, fields: [], status: 'published', isOpen: true }, q)) return 'inserted';
    const rows = await q.query(
      `update certificate_types set name = $2, define_authority_name = $3, define_authority_code = $4, related_item_name = $5,
         related_item_code = $6, holder_category = $7, validity_range = $8, updated_at = now()
       where code = $1 and (name, define_authority_name, define_authority_code, related_item_name, related_item_code, holder_category, validity_range)
         is distinct from ($2, $3, $4, $5, $6, $7, $8)
       returning code`,
      [t.code, t.name, t.defineAuthorityName ?? null, t.defineAuthorityCode ?? null, t.relatedItemName ?? null,
        t.relatedItemCode ?? null, t.holderCategory ?? null, t.validityRange ?? null],
    );
    return rows.length === 1 ? 'updated' : 'unchanged';
  }
}
