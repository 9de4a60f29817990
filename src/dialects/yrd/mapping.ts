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
