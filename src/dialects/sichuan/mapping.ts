import type { Certificate, CertificateSummary } from '../../domain/model.js';
import { canonicalData, LONG_TERM } from '../../domain/canonical.js';
import { formatPaddedChineseDate } from '../../domain/dates.js';
import type { EncryptedIdLink } from '../../core/sharing.js';

/** Dates in the tables' form "YYYY年MM月DD日" (tables 2-8), zero-padded: 2019年05月06日. */
const date = formatPaddedChineseDate;

/** Table 2: one retrieval hit. */
export function retrievalItem(c: CertificateSummary) {
  return { certificateID: c.id, certificateType: c.typeName, issueDept: c.issuer.name, certificateNumber: c.number, issueDate: date(c.issueDate) };
}

/** Tables 3-5: a download link (certificateID added, as in the national E.1: a caller needs it to ask again). */
export function fileItem(c: CertificateSummary, fileFormat: string, fileUrl: string) {
  return {
    certificateID: c.id, certificateType: c.typeName, issueDept: c.issuer.name, certificateNumber: c.number, issueDate: date(c.issueDate),
    fileFormat, fileUrl,
  };
}

/**
 * Tables 6-8: the structured data in table order, the surface as table 7's Surface[]. The signature
 * (digitalSign) is the one the national interface gives: over the national record, whose surface is
 * spelt `surface`, whose dates have no leading zeros (2019年5月6日), and which also holds
 * certificateID, certificateTypeCode and detail, so those are here too. To check it: rename Surface
 * to surface, drop the dates' leading zeros, drop digitalSign, serialise per RFC 8785.
 */
export function dataItem(c: Certificate) {
  const d = canonicalData(c);
  return {
    certificateType: d.certificateType,
    certificateName: d.certificateName,
    certificateHolder: d.certificateHolder,
    certificateHolderCode: d.certificateHolderCode,
    certificateHolderType: d.certificateHolderType,
    issueDept: d.issueDept,
    certificateNumber: d.certificateNumber,
    issueDeptCode: d.issueDeptCode,
    issueDate: date(c.issueDate),
    certificateValidateStart: c.validFrom ? date(c.validFrom) : '',
    certificateValidateEnd: c.validTo ? date(c.validTo) : LONG_TERM,
    digitalSign: c.digitalSign ?? '',
    Surface: d.surface,
    certificateID: d.certificateID,
    certificateTypeCode: d.certificateTypeCode,
    detail: d.detail,
  };
}

/**
 * Table 9: ifResultInfo.encryptedId. The type, issuer and number are added so that a caller who
 * gets several can tell them apart, and expireTime (China Standard Time) says how long it works.
 */
export function encryptedIdItem(l: EncryptedIdLink) {
  return {
    encryptedId: l.encryptedId,
    certificateType: l.certificate.typeName,
    issueDept: l.certificate.issuer.name,
    certificateNumber: l.certificate.number,
    expireTime: cstDateTime(l.expires),
  };
}

/** 'yyyy-MM-dd HH:mm:ss' in China Standard Time, from epoch seconds. */
export function cstDateTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000 + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}
