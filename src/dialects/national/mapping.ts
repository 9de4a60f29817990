import type { Certificate, CertificateSummary, CertificateType } from '../../domain/model.js';
import { canonicalData } from '../../domain/canonical.js';
import { formatChineseDate } from '../../domain/dates.js';

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

/** Appendix F.1.5 / F.2.1: the canonical structured data with its signature. */
export function dataItem(c: Certificate) {
  return { ...canonicalData(c), digitalSign: c.digitalSign ?? '' };
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
