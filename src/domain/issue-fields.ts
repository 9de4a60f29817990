import type { CertificateType, FieldDefinition, FieldRole, Holder, SurfaceValue } from './model.js';
import type { IsoDate } from './dates.js';
import { checkHolderCode, holderCodeType, inferHolderCodeType } from './holder-code.js';
import { isLongTerm, parseDate } from './dates.js';

/** A field that failed, and the rule it broke; dialects word these their own way. */
export interface FieldProblem { field: string; rule: string }

/** The canonical attributes read out of submitted fields by their roles, and the surface in definition order. */
export interface IssuedFields {
  holder: Holder;
  number: string;
  issueDate?: IsoDate;
  validFrom?: IsoDate;
  /** Undefined: long-term (长期). */
  validTo?: IsoDate;
  areaCode?: string;
  surface: SurfaceValue[];
}

const MAX_VALUE = 4096;
const MAX_PICTURE = 2 * 1024 * 1024;
/** Roles without which no certificate can be issued: the holder and the certificate number. */
const NEEDED_ROLES: FieldRole[] = ['holderName', 'holderCode', 'number'];

/** Whether a type defines the fields issuing needs; the problem names the first missing role. */
export function issuableProblem(t: Pick<CertificateType, 'fields'>): string | undefined {
  const missing = NEEDED_ROLES.filter((r) => !t.fields.some((f) => f.role === r));
  return missing.length ? `the type defines no field for ${missing.join(', ')}` : undefined;
}

/**
 * Validates submitted data fields (column name → value) against a type's field definitions and
 * reads the canonical attributes out of them. Every problem is reported, not only the first.
 */
export function readIssuedFields(t: Pick<CertificateType, 'fields'>, input: unknown): { ok: true; value: IssuedFields } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { ok: false, problems: [{ field: 'data_fields', rule: 'must be an object of column name to value' }] };
  const values = input as Record<string, unknown>;
  const defs = new Map(t.fields.map((f) => [f.columnName, f]));
  for (const k of Object.keys(values)) if (!defs.has(k)) problems.push({ field: k, rule: 'not a field of this certificate type' });

  const text = new Map<string, string>();
  for (const f of t.fields) {
    const raw = values[f.columnName];
    if (raw === undefined || raw === null || raw === '') {
      if (f.required || (f.role && NEEDED_ROLES.includes(f.role))) problems.push({ field: f.columnName, rule: 'required' });
      continue;
    }
    if (typeof raw !== 'string' && typeof raw !== 'number') { problems.push({ field: f.columnName, rule: 'must be a string' }); continue; }
    const v = String(raw).trim();
    if (f.valueType === 'picture') {
      if (v.length > MAX_PICTURE || !/^[A-Za-z0-9+/]+={0,2}$/.test(v.replace(/\s+/g, ''))) { problems.push({ field: f.columnName, rule: 'a picture is base64, at most 2 MiB' }); continue; }
    } else if (v.length > MAX_VALUE || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v)) {
      problems.push({ field: f.columnName, rule: `at most ${MAX_VALUE} printable characters` });
      continue;
    }
    text.set(f.columnName, v);
  }
  const byRole = (role: FieldRole): [FieldDefinition, string] | undefined => {
    const f = t.fields.find((d) => d.role === role);
    const v = f && text.get(f.columnName);
    return f && v !== undefined ? [f, v] : undefined;
  };
  const date = (role: FieldRole): string | undefined => {
    const hit = byRole(role);
    if (!hit) return undefined;
    if (role === 'validTo' && isLongTerm(hit[1])) return undefined;
    const d = parseDate(hit[1]);
    if (!d) problems.push({ field: hit[0].columnName, rule: 'not a date (yyyy-MM-dd)' });
    return d;
  };

  const holderCode = byRole('holderCode');
  let codeType: string | undefined;
  const typeHit = byRole('holderCodeType');
  if (typeHit) {
    codeType = typeHit[1];
    if (!holderCodeType(codeType)) problems.push({ field: typeHit[0].columnName, rule: 'not an appendix B holder code type' });
  } else if (holderCode) {
    codeType = inferHolderCodeType(holderCode[1]);
    if (!codeType) problems.push({ field: holderCode[0].columnName, rule: 'neither a citizen ID number (GB 11643) nor a unified social credit code (GB 32100)' });
  }
  if (holderCode && codeType && holderCodeType(codeType)) {
    const check = checkHolderCode(codeType, holderCode[1]);
    if (!check.ok) problems.push({ field: holderCode[0].columnName, rule: check.message });
  }
  const issueDate = date('issueDate');
  const validFrom = date('validFrom');
  const validTo = date('validTo');
  if (validFrom && validTo && validTo < validFrom) problems.push({ field: byRole('validTo')![0].columnName, rule: 'before the start of validity' });
  const area = byRole('areaCode');
  if (area && !/^\d{6}$/.test(area[1])) problems.push({ field: area[0].columnName, rule: 'a 6-digit GB/T 2260 area code' });

  if (problems.length > 0) return { ok: false, problems };
  const surface: SurfaceValue[] = t.fields.filter((f) => text.has(f.columnName))
    .map((f) => ({ columnName: f.columnName, name: f.name, valueType: f.valueType, value: text.get(f.columnName)! }));
  return {
    ok: true,
    value: {
      holder: { name: byRole('holderName')![1], code: holderCode![1], codeType: codeType! },
      number: byRole('number')![1],
      issueDate, validFrom, validTo, areaCode: area?.[1], surface,
    },
  };
}
