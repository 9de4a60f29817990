import type { Certificate, CertificateSummary } from '../../domain/model.js';
import { canonicalData, LONG_TERM } from '../../domain/canonical.js';
import type { UsageRow } from '../../core/usage.js';

/**
 * One certificate in a dataList. Seed 004 names only its inputs (CertificateID, CertificateType,
 * CertificateNumber); the outputs take the same capitalised names for the rest of the catalog entry.
 */
export function summaryItem(c: CertificateSummary) {
  return {
    CertificateID: c.id, CertificateType: c.typeName, CertificateTypeCode: c.typeCode, CertificateName: c.name, CertificateNumber: c.number,
    CertificateHolder: c.holder.name, CertificateHolderCode: c.holder.code, CertificateHolderType: c.holder.codeType,
    IssueDept: c.issuer.name, IssueDeptCode: c.issuer.code, CertificateAreaCode: c.issuer.areaCode ?? '',
    IssueDate: c.issueDate, ValidFrom: c.validFrom ?? '', ValidTo: c.validTo ?? LONG_TERM, Status: c.status,
  };
}

/**
 * A dataList entry another province answered over the direct channel, back in canonical terms (the
 * inverse of summaryItem), so the core filters and merges it as it does its own; undefined when the
 * entry lacks what a certificate needs.
 */
export function summaryFromItem(x: unknown): CertificateSummary | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const t = (k: string) => {
    const v = (x as Record<string, unknown>)[k];
    return typeof v === 'string' ? v : undefined;
  };
  const id = t('CertificateID'), typeCode = t('CertificateTypeCode'), number = t('CertificateNumber'), holderCode = t('CertificateHolderCode');
  const status = t('Status');
  if (!id || !typeCode || !number || !holderCode || !t('IssueDate')) return undefined;
  return {
    id, typeCode, typeName: t('CertificateType') ?? '', name: t('CertificateName') ?? t('CertificateType') ?? '', number,
    holder: { name: t('CertificateHolder') ?? '', code: holderCode, codeType: t('CertificateHolderType') ?? '' },
    issuer: { name: t('IssueDept') ?? '', code: t('IssueDeptCode') ?? '', areaCode: t('CertificateAreaCode') || undefined },
    issueDate: t('IssueDate')!, validFrom: t('ValidFrom') || undefined, validTo: t('ValidTo') && t('ValidTo') !== LONG_TERM ? t('ValidTo') : undefined,
    status: status === 'issued' || status === 'suspended' || status === 'abolished' ? status : 'issued', version: 1,
  };
}

/** Table 4's entry another province answered, back in canonical terms (the inverse of infoItem). */
export function infoFromItem(x: unknown): Certificate | undefined {
  const summary = summaryFromItem(x);
  if (!summary) return undefined;
  const o = x as { surface?: unknown; detail?: unknown; digitalSign?: unknown };
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const value = (v: Record<string, unknown>) => ({
    name: text(v.name), value: text(v.value), valueType: v.valueType === 'picture' ? 'picture' as const : 'string' as const, columnName: text(v.columnName),
  });
  const surface = Array.isArray(o.surface) ? o.surface.filter((v) => v && typeof v === 'object').map((v) => value(v as Record<string, unknown>)) : [];
  const detail = Array.isArray(o.detail) ? o.detail.filter((g) => g && typeof g === 'object').map((g) => {
    const group = g as { group?: unknown; datalist?: unknown };
    const values = Array.isArray(group.datalist) ? group.datalist.filter((v) => v && typeof v === 'object')
      .map((v) => ({ ...value(v as Record<string, unknown>), orderNum: text((v as Record<string, unknown>).orderNum) })) : [];
    return { group: text(group.group), values };
  }) : [];
  return { ...summary, surface, detail, digitalSign: text(o.digitalSign) || undefined };
}

/** Tables 2 and 3: the entry and its short-lived download link. */
export function fileItem(c: CertificateSummary, fileFormat: string, fileUrl: string, expires: number) {
  return { ...summaryItem(c), fileFormat: fileFormat.toUpperCase(), fileUrl, expireTime: expires ? new Date(expires * 1000).toISOString() : '' };
}

/** Tables 4 and 5: the entry with its surface and detail data and the structured-data signature. */
export function infoItem(c: Certificate) {
  const d = canonicalData(c);
  return { ...summaryItem(c), surface: d.surface, detail: d.detail, digitalSign: c.digitalSign ?? '' };
}

/** The holder's view: one use of their certificates. */
export function useItem(u: UsageRow) {
  return {
    at: u.at, caller: u.accountId ?? '', itemOrg: u.context?.itemOrg ?? '', operator: u.operator ?? '', itemCode: u.itemCode ?? '',
    itemName: u.itemName ?? '', reason: u.reason ?? '', bizNum: u.bizNum ?? '', interface: `${u.dialect}/${u.interface}`,
    path: u.context?.path ?? '', certificateIds: u.certificateIds, result: u.resultCode,
  };
}

/** Seed 004 types dataList (and table 7's userinfo, certificatelist) 字符串: a JSON text, parsed by the caller. */
export const listOf = <T>(items: T[]) => ({ total: items.length, dataList: JSON.stringify(items) });
