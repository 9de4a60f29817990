import type { CertificateStatus, Holder, Issuer } from './model.js';
import type { IsoDate } from './dates.js';
import { parseDate } from './dates.js';
import { inferHolderCodeType } from './holder-code.js';
import { parseCertificateId } from './identifier.js';
import {
  areaCodeRule, dataSourceRule, holderCodeRule, holderTypeRule, issuerCodeRule, parsedIdentifierRule, typeCodeRule,
} from './catalog-rules.js';

/**
 * One row of the catalog a node reports to the hub (ZWFW C 0124 6.3, appendix H.1 `lic_data`), in
 * the core's words. The store maps it to and from the table's columns.
 */
export interface CatalogRow {
  /** CertificateSourceId: here the certificate's GB/T 36904 identifier. */
  sourceId: string;
  name: string;
  typeName: string;
  typeCode: string;
  issuerName: string;
  issuerCode: string;
  areaCode: string;
  holderName: string;
  holderCode: string;
  holderType: string | null;
  number: string;
  issueDate: string;
  /** Cd_operation: I insert, U update, D delete (stop sharing). */
  operation: string;
  /** Cd_time, China Standard Time, 'YYYY-MM-DD HH:MM:SS[.ffffff]'. */
  time: string;
  /** Cd_batch: one per exchange, for reconciliation. */
  batch: string;
  dataSource: string;
}

export type CatalogOperation = 'I' | 'U' | 'D';
export const CATALOG_OPERATIONS: readonly CatalogOperation[] = ['I', 'U', 'D'];

/** Each field's column in H.1 and its 指标项, which name the field in an ErrorRemark. */
export const CATALOG_FIELDS: Record<keyof CatalogRow, { column: string; label: string; required: boolean }> = {
  sourceId: { column: 'CertificateSourceId', label: '电子证照源标识', required: true },
  name: { column: 'CertificateName', label: '证照名称', required: true },
  typeName: { column: 'CertificateType', label: '证照类型名称', required: true },
  typeCode: { column: 'CertificateTypeCode', label: '证照类型代码', required: true },
  issuerName: { column: 'IssueDept', label: '证照颁发机构', required: true },
  issuerCode: { column: 'IssueDeptCode', label: '证照颁发机构代码', required: true },
  areaCode: { column: 'CertificateAreaCode', label: '证照所属管辖属地编码', required: true },
  holderName: { column: 'CertificateHolder', label: '持证主体', required: true },
  holderCode: { column: 'CertificateHolderCode', label: '持证主体代码', required: true },
  holderType: { column: 'CertificateHolderType', label: '持证主体代码类型', required: false },
  number: { column: 'CertificateNumber', label: '证照编号', required: true },
  issueDate: { column: 'IssueDate', label: '证照颁发日期', required: true },
  operation: { column: 'Cd_operation', label: '同步类型', required: true },
  time: { column: 'Cd_time', label: '同步时间', required: true },
  batch: { column: 'Cd_batch', label: '批次号', required: true },
  dataSource: { column: 'DataSource', label: '数据来源', required: true },
};

/** ErrorRemark is varchar(512). */
export const MAX_REMARK = 512;

/** Why a row is refused: the field, and the remark the hub writes to lic_data_error. */
export interface CatalogProblem { field: keyof CatalogRow; rule: string; remark: string }

export function catalogProblem(field: keyof CatalogRow, rule: string): CatalogProblem {
  const f = CATALOG_FIELDS[field];
  const remark = `${f.column}(${f.label}): ${rule}`;
  return { field, rule, remark: remark.length > MAX_REMARK ? `${remark.slice(0, MAX_REMARK - 1)}…` : remark };
}

/** What a valid row makes of a certificate in the hub's catalog. */
export interface CatalogEntry {
  id: string;
  operation: CatalogOperation;
  typeCode: string;
  typeName: string;
  name: string;
  number: string;
  holder: Holder;
  issuer: Issuer & { areaCode: string };
  issueDate: IsoDate;
  version: number;
  /** D stops sharing: the entry stays, abolished, so the hub answers 21 rather than 10. */
  status: Extract<CertificateStatus, 'issued' | 'abolished'>;
  dataSource: string;
}

/**
 * Checks one row on its own (the hub also checks it against its catalog: known type, owner,
 * number). The first broken rule wins; its remark names the field and the rule.
 */
export function checkCatalogRow(row: CatalogRow): { ok: true; entry: CatalogEntry } | { ok: false; problem: CatalogProblem } {
  const fail = (field: keyof CatalogRow, rule: string) => ({ ok: false as const, problem: catalogProblem(field, rule) });
  const trimmed = {} as Record<keyof CatalogRow, string>;
  for (const key of Object.keys(CATALOG_FIELDS) as (keyof CatalogRow)[]) {
    const v = row[key];
    trimmed[key] = typeof v === 'string' ? v.trim() : '';
    if (CATALOG_FIELDS[key].required && trimmed[key] === '') return fail(key, 'required (必填项为空)');
  }
  const r = trimmed;
  const operation = r.operation.toUpperCase();
  if (!(CATALOG_OPERATIONS as readonly string[]).includes(operation)) return fail('operation', `must be I, U or D, got ${r.operation}`);

  const typeProblem = typeCodeRule(r.typeCode);
  if (typeProblem) return fail('typeCode', typeProblem);
  const issuerProblem = issuerCodeRule(r.issuerCode);
  if (issuerProblem) return fail('issuerCode', issuerProblem);
  const parsed = parseCertificateId(r.sourceId);
  const idProblem = parsedIdentifierRule(parsed, r.typeCode, r.issuerCode);
  if (idProblem) return fail('sourceId', `not a GB/T 36904 identifier: ${idProblem}`);

  // Appendix B; the type may be left out (否) when the code itself says what it is.
  let holderType = r.holderType;
  if (holderType) {
    const p = holderTypeRule(holderType);
    if (p) return fail('holderType', p);
  } else {
    const inferred = inferHolderCodeType(r.holderCode);
    if (!inferred) return fail('holderType', 'required when the holder code is neither a citizen ID number nor a unified social credit code');
    holderType = inferred;
  }
  const holderProblem = holderCodeRule(holderType, r.holderCode);
  if (holderProblem) return fail('holderCode', holderProblem);

  const issueDate = parseDate(r.issueDate);
  if (!issueDate) return fail('issueDate', `not a date: ${r.issueDate}`);
  const syncDate = parseDate(r.time.slice(0, 10));
  if (!syncDate) return fail('time', `not a timestamp: ${r.time}`);
  if (issueDate > syncDate) return fail('issueDate', `after the sync time ${r.time.slice(0, 10)}: a certificate is reported once issued`);

  const areaProblem = areaCodeRule(r.areaCode);
  if (areaProblem) return fail('areaCode', areaProblem);
  const dsProblem = dataSourceRule(r.dataSource, r.areaCode);
  if (dsProblem) return fail('dataSource', dsProblem);

  const version = parsed.ok ? Number(parsed.parts.version) : 1;
  return {
    ok: true,
    entry: {
      id: r.sourceId,
      operation: operation as CatalogOperation,
      typeCode: r.typeCode,
      typeName: r.typeName,
      name: r.name,
      number: r.number,
      holder: { name: r.holderName, code: r.holderCode, codeType: holderType },
      issuer: { name: r.issuerName, code: r.issuerCode, areaCode: r.areaCode },
      issueDate,
      version,
      status: operation === 'D' ? 'abolished' : 'issued',
      dataSource: r.dataSource,
    },
  };
}
