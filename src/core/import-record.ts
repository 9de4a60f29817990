import type { Certificate, CertificateStatus, DetailGroup, SurfaceValue } from '../domain/model.js';
import { areaCodeRule, holderCodeRule, holderTypeRule, identifierRule, issuerCodeRule, typeCodeRule } from '../domain/catalog-rules.js';
import { isLongTerm, parseDate } from '../domain/dates.js';

/**
 * One line of an import file: national F.1.5 certificate data plus certificateTypeCode,
 * certificateAreaCode, an optional status and an optional certificateID.
 */
export type ImportRecordResult =
  | { ok: true; cert: Omit<Certificate, 'id' | 'typeName'> & { id?: string }; typeName: string }
  | { ok: false; reason: string };

const REQUIRED = ['certificateType', 'certificateTypeCode', 'certificateName', 'certificateHolder', 'certificateHolderCode',
  'certificateHolderType', 'issueDept', 'issueDeptCode', 'certificateNumber', 'issueDate'] as const;
const STATUSES: readonly CertificateStatus[] = ['issued', 'suspended', 'abolished'];
const MAX_TEXT = 512;

export function parseImportRecord(raw: unknown): ImportRecordResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'not a JSON object' };
  const r = raw as Record<string, unknown>;
  const text = (k: string): string | undefined => {
    const v = r[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return String(v);
    return typeof v === 'string' ? v.trim() : undefined;
  };
  for (const k of REQUIRED) {
    const v = r[k];
    if (v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'number') return { ok: false, reason: `${k}: must be a string` };
    if (!text(k)) return { ok: false, reason: `${k}: required` };
  }
  for (const k of REQUIRED) if (text(k)!.length > MAX_TEXT) return { ok: false, reason: `${k}: longer than ${MAX_TEXT} characters` };

  const typeCode = text('certificateTypeCode')!;
  const typeProblem = typeCodeRule(typeCode);
  if (typeProblem) return { ok: false, reason: `certificateTypeCode: ${typeProblem}` };
  const holderType = text('certificateHolderType')!;
  const holderTypeProblem = holderTypeRule(holderType);
  if (holderTypeProblem) return { ok: false, reason: `certificateHolderType: ${holderTypeProblem}` };
  const holderCode = text('certificateHolderCode')!;
  const holderProblem = holderCodeRule(holderType, holderCode);
  if (holderProblem) return { ok: false, reason: `certificateHolderCode: ${holderProblem}` };
  const issuerCode = text('issueDeptCode')!;
  const issuerProblem = issuerCodeRule(issuerCode);
  if (issuerProblem) return { ok: false, reason: `issueDeptCode: ${issuerProblem}` };
  const issueDate = parseDate(text('issueDate')!);
  if (!issueDate) return { ok: false, reason: `issueDate: not a date: ${text('issueDate')}` };
  let validFrom: string | undefined;
  const startText = text('certificateValidateStart');
  if (startText) {
    validFrom = parseDate(startText);
    if (!validFrom) return { ok: false, reason: `certificateValidateStart: not a date: ${startText}` };
  }
  let validTo: string | undefined;
  const endText = text('certificateValidateEnd');
  if (endText && !isLongTerm(endText)) {
    validTo = parseDate(endText);
    if (!validTo) return { ok: false, reason: `certificateValidateEnd: not a date: ${endText}` };
    if (validFrom && validTo < validFrom) return { ok: false, reason: 'certificateValidateEnd: before certificateValidateStart' };
  }
  const area = text('certificateAreaCode');
  const areaProblem = area ? areaCodeRule(area) : undefined;
  if (areaProblem) return { ok: false, reason: `certificateAreaCode: ${areaProblem}` };
  const statusText = text('status');
  const status = (statusText || 'issued') as CertificateStatus;
  if (!STATUSES.includes(status)) return { ok: false, reason: `status: must be one of ${STATUSES.join(', ')}` };
  const id = text('certificateID');
  const idProblem = id ? identifierRule(id, typeCode, issuerCode) : undefined;
  if (idProblem) return { ok: false, reason: `certificateID: ${idProblem}` };
  const surface = parseSurface(r.surface);
  if (typeof surface === 'string') return { ok: false, reason: `surface: ${surface}` };
  const detail = parseDetail(r.detail);
  if (typeof detail === 'string') return { ok: false, reason: `detail: ${detail}` };

  return {
    ok: true,
    typeName: text('certificateType')!,
    cert: {
      id: id || undefined,
      sourceId: text('certificateSourceId') || undefined,
      typeCode,
      name: text('certificateName')!,
      number: text('certificateNumber')!,
      holder: { name: text('certificateHolder')!, code: holderCode, codeType: holderType },
      issuer: { name: text('issueDept')!, code: issuerCode, areaCode: area || undefined },
      issueDate,
      validFrom,
      validTo,
      status,
      version: 1,
      surface,
      detail,
      dataSource: text('dataSource') || undefined,
    },
  };
}

function parseValue(v: unknown, where: string): SurfaceValue | string {
  if (v === null || typeof v !== 'object') return `${where}: not an object`;
  const o = v as Record<string, unknown>;
  const valueType = o.valueType ?? 'string';
  if (valueType !== 'string' && valueType !== 'picture') return `${where}.valueType: must be string or picture`;
  for (const k of ['name', 'columnName'] as const) if (typeof o[k] !== 'string' || !(o[k] as string).trim()) return `${where}.${k}: required string`;
  const value = o.value ?? '';
  if (typeof value !== 'string') return `${where}.value: must be a string`;
  if (valueType === 'picture' && value !== '' && !/^[A-Za-z0-9+/=\s]+$/.test(value)) return `${where}.value: picture must be base64`;
  return { name: (o.name as string).trim(), columnName: (o.columnName as string).trim(), valueType, value };
}

function parseSurface(v: unknown): SurfaceValue[] | string {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return 'must be an array';
  const out: SurfaceValue[] = [];
  for (const [i, item] of v.entries()) {
    const s = parseValue(item, `[${i}]`);
    if (typeof s === 'string') return s;
    out.push(s);
  }
  return out;
}

function parseDetail(v: unknown): DetailGroup[] | string {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return 'must be an array';
  const out: DetailGroup[] = [];
  for (const [i, g] of v.entries()) {
    if (g === null || typeof g !== 'object') return `[${i}]: not an object`;
    const o = g as Record<string, unknown>;
    if (typeof o.group !== 'string') return `[${i}].group: required string`;
    const list = o.datalist ?? [];
    if (!Array.isArray(list)) return `[${i}].datalist: must be an array`;
    const values = [];
    for (const [j, item] of list.entries()) {
      const s = parseValue(item, `[${i}].datalist[${j}]`);
      if (typeof s === 'string') return s;
      const orderNum = (item as Record<string, unknown>).orderNum;
      values.push({ ...s, orderNum: orderNum === undefined || orderNum === null ? String(j + 1) : String(orderNum) });
    }
    out.push({ group: o.group, values });
  }
  return out;
}
