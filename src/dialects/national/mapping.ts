import type { Certificate, CertificateSummary, CertificateType } from '../../domain/model.js';
import { canonicalData } from '../../domain/canonical.js';
import { formatChineseDate } from '../../domain/dates.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import { ownerItemOf } from '../../federation/national-node.js';

/** Appendix D.1: one retrieval hit. */
export function retrievalItem(c: CertificateSummary) {
  return {
    certificateID: c.id,
    certificateType: c.typeName,
    issueDept: c.issuer.name,
    certificateNumber: c.number,
    issueDate: formatChineseDate(c.issueDate),
  };
}

/** Appendix E.1.5 / E.2.1, plus certificateID (table 4 lists data.certificateIdentifier among the outputs). */
export function fileItem(c: CertificateSummary, fileFormat: string, fileUrl: string) {
  return { ...retrievalItem(c), fileFormat, fileUrl };
}

/**
 * Appendix F.1.5 / F.2.1: the canonical structured data with its signature; a certificate another
 * node answered for passes on as its owner's item, as it came (national-node.ts).
 */
export function dataItem(c: Certificate): ReturnType<typeof canonicalData> & { digitalSign: string } {
  const passed = ownerItemOf(c);
  if (passed) return passed as unknown as ReturnType<typeof canonicalData> & { digitalSign: string };
  return { ...canonicalData(c), digitalSign: c.digitalSign ?? '' };
}

/** The items of an F.2 record (dataItem), which data.metadataRange (table 5) may name. */
export const F2_ITEMS: readonly string[] = [
  'certificateID', 'certificateType', 'certificateTypeCode', 'certificateName', 'certificateHolder', 'certificateHolderCode', 'certificateHolderType',
  'issueDept', 'issueDeptCode', 'certificateNumber', 'issueDate', 'certificateValidateStart', 'certificateValidateEnd', 'surface', 'detail', 'digitalSign',
];

/**
 * Table 5's data.metadataRange (信息项范围, names as in F.2): the items asked for, checked; undefined
 * for all. An item F.2 does not name is refused (24) rather than silently left out.
 */
export function metadataRange(names: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (!names) return undefined;
  const unknown = names.filter((n) => !F2_ITEMS.includes(n));
  if (unknown.length > 0) throw new ServiceError(ReturnCode.Unparseable, `${unknown.join(', ')} not an item of F.2`, ['metadataRange']);
  return new Set(names);
}

/**
 * The record with only the items in range. digitalSign, when asked for, is still the signature of
 * the whole record (see docs/national.md): a caller that wants to check it asks for every item.
 */
export function inRange<T extends object>(item: T, range: ReadonlySet<string> | undefined): Partial<T> {
  if (!range) return item;
  return Object.fromEntries(Object.entries(item).filter(([k]) => range.has(k))) as Partial<T>;
}

/** Appendix F.3.5. */
export function typeItem(t: CertificateType) {
  return {
    certificateType: t.name,
    certificateTypeCode: t.code,
    certificateDefineAuthorityName: t.defineAuthorityName ?? '',
    certificateDefineAuthorityCode: t.defineAuthorityCode ?? '',
    relatedItemName: t.relatedItemName ?? '',
    relatedItemCode: t.relatedItemCode ?? '',
    certificateHolderCategory: t.holderCategory ?? '',
    validityRange: t.validityRange ?? '',
  };
}
