import { FIELD_ROLES, type CertificateType, type FieldDefinition, type FieldRole, type TypeStatus } from '../domain/model.js';
import { isValidCreditCode } from '../domain/holder-code.js';
import type { CertificateTypeRepo } from '../store/certificate-types.js';
import { parseLayoutTemplate } from '../domain/layout-template.js';
import type { Db } from '../store/db.js';
import { recordCatalogChange } from '../store/catalog-changes.js';

export interface NewType {
  code: string;
  name: string;
  defineAuthorityName?: string;
  relatedItemName?: string;
  relatedItemCode?: string;
  holderCategory?: string;
  validityRange?: string;
  fields: FieldDefinition[];
  /** Published at once unless made as a draft. */
  draft?: boolean;
}

const HOLDER_CATEGORIES = ['自然人', '法人或其他组织', '混合', '其他'];

/** Which status changes the catalog allows: a draft is published; a published type is withdrawn or re-published. */
const TRANSITIONS: Record<TypeStatus, TypeStatus[]> = {
  draft: ['published'],
  published: ['withdrawn'],
  withdrawn: ['published'],
};

/**
 * The certificate type catalog (证照目录, ZWFW C 0123): types are created, published and withdrawn
 * here. Only published, open types are offered to callers; anything else answers 13. Each change
 * is recorded, with its leaf in the transparency log, in its own transaction.
 */
export class CatalogService {
  constructor(private readonly repo: CertificateTypeRepo, private readonly db: Db) {}

  async add(t: NewType): Promise<CertificateType> {
    if (!/^[0-9A-Z]{18}\d{3}$/.test(t.code)) throw new Error('type code: 18-character code of the defining authority + 3 digits (ZWFW C 0123)');
    if (!isValidCreditCode(t.code.slice(0, 18))) throw new Error('type code: its first 18 characters must be a valid unified social credit code');
    if (!t.name.trim() || t.name.length > 256) throw new Error('name: 1-256 characters');
    if (t.holderCategory && !HOLDER_CATEGORIES.includes(t.holderCategory)) throw new Error(`holder category: one of ${HOLDER_CATEGORIES.join(', ')}`);
    const seen = new Set<string>();
    for (const f of t.fields) {
      if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(f.columnName)) throw new Error(`field ${f.columnName}: column names are letters, digits and _`);
      if (seen.has(f.columnName)) throw new Error(`field ${f.columnName}: defined twice`);
      seen.add(f.columnName);
      if (f.role !== undefined && !FIELD_ROLES.includes(f.role)) throw new Error(`field ${f.columnName}: role is one of ${FIELD_ROLES.join(', ')}`);
    }
    const roles = t.fields.map((f) => f.role).filter(Boolean);
    const twice = roles.find((r, i) => roles.indexOf(r) !== i);
    if (twice) throw new Error(`role ${twice}: given to two fields`);
    const type: CertificateType = {
      code: t.code, name: t.name.trim(), defineAuthorityCode: t.code.slice(0, 18), defineAuthorityName: t.defineAuthorityName,
      relatedItemName: t.relatedItemName, relatedItemCode: t.relatedItemCode, holderCategory: t.holderCategory,
      validityRange: t.validityRange, fields: t.fields, status: t.draft ? 'draft' : 'published', isOpen: true,
    };
    await this.db.transaction(async (tx) => {
      if (!(await this.repo.insertIfMissing(type, tx))) throw new Error(`type ${t.code} already exists`);
      await recordCatalogChange(tx, 'create', type);
    });
    return type;
  }

  async setStatus(code: string, status: TypeStatus): Promise<CertificateType> {
    const t = await this.repo.get(code);
    if (!t) throw new Error(`no type ${code}`);
    if (!TRANSITIONS[t.status].includes(status)) throw new Error(`a ${t.status} type cannot become ${status}`);
    await this.db.transaction(async (tx) => {
      await this.repo.setStatus(code, status, tx);
      await recordCatalogChange(tx, status === 'withdrawn' ? 'withdraw' : 'publish', { ...t, status });
    });
    return { ...t, status };
  }

  /**
   * Sets (or, with undefined, removes) the layout template of a type's files. Files already made keep
   * their look; those made from now on follow the template.
   */
  async setLayout(code: string, template: unknown): Promise<CertificateType> {
    const t = await this.repo.get(code);
    if (!t) throw new Error(`no type ${code}`);
    let changed: CertificateType;
    if (template === undefined) {
      const { layout: _old, ...rest } = t;
      changed = rest;
    } else {
      const parsed = parseLayoutTemplate(template, t.fields);
      if (!parsed.ok) throw new Error(`layout template: ${parsed.problems.join('; ')}`);
      changed = { ...t, layout: parsed.template };
    }
    await this.db.transaction(async (tx) => {
      await this.repo.setLayout(code, changed.layout, tx);
      await recordCatalogChange(tx, 'layout', changed);
    });
    return changed;
  }

  list(status?: TypeStatus): Promise<CertificateType[]> {
    return this.repo.list(status);
  }

  /**
   * Adopts the types another catalog publishes (a province syncing the hub's F.3 list): new codes
   * are inserted, known ones get the published description and keep their own status and fields.
   * A type whose code is not a ZWFW C 0123 code is skipped and named.
   */
  async adopt(list: CertificateType[], onProgress?: (done: number, total: number) => void): Promise<TypeSyncReport> {
    const report: TypeSyncReport = { fetched: list.length, inserted: [], updated: [], unchanged: 0, skipped: [] };
    for (const [i, t] of list.entries()) {
      if (!/^[0-9A-Z]{18}\d{3}$/.test(t.code) || !t.name.trim() || t.name.length > 256) {
        report.skipped.push({ code: t.code, reason: 'not a ZWFW C 0123 type code (18 + 3) with a name of 1-256 characters' });
      } else {
        const taken = { ...t, name: t.name.trim(), defineAuthorityCode: t.defineAuthorityCode ?? t.code.slice(0, 18) };
        const r = await this.db.transaction(async (tx) => {
          const done = await this.repo.adopt(taken, tx);
          if (done !== 'unchanged') await recordCatalogChange(tx, 'adopt', (await this.repo.get(t.code, tx))!);
          return done;
        });
        if (r === 'inserted') report.inserted.push(t.code);
        else if (r === 'updated') report.updated.push(t.code);
        else report.unchanged++;
      }
      onProgress?.(i + 1, list.length);
    }
    return report;
  }
}

export interface TypeSyncReport {
  fetched: number;
  inserted: string[];
  updated: string[];
  unchanged: number;
  skipped: { code: string; reason: string }[];
}

/**
 * Parses a field definition written `columnName:name[:picture][:required][:sensitive][:role=R]`,
 * where R is one of FIELD_ROLES (what the field means to issuing, e.g. role=holderCode).
 */
export function parseFieldSpec(spec: string): FieldDefinition {
  const [columnName = '', name = '', ...flags] = spec.split(':');
  const usage = `field "${spec}": columnName:name[:picture][:required][:sensitive][:role=${FIELD_ROLES.join('|')}]`;
  if (!columnName || !name) throw new Error(usage);
  let role: FieldRole | undefined;
  for (const f of flags) {
    if (f.startsWith('role=')) {
      role = f.slice(5) as FieldRole;
      if (!FIELD_ROLES.includes(role)) throw new Error(usage);
    } else if (!['picture', 'string', 'required', 'sensitive'].includes(f)) throw new Error(`field "${spec}": unknown flag ${f}`);
  }
  return {
    columnName, name, valueType: flags.includes('picture') ? 'picture' : 'string', required: flags.includes('required'), sensitive: flags.includes('sensitive'),
    ...(role ? { role } : {}),
  };
}
