import type { Certificate, CertificateSummary, Usability } from '../../domain/model.js';
import { formatPaddedChineseDate, type IsoDate } from '../../domain/dates.js';
import { canonicalData, LONG_TERM } from '../../domain/canonical.js';
import { linkProtocol } from '../link-protocol.js';

/**
 * Dates as the city-level examples write them: "2013 年 09 月 24 日" in the text, whose spaces
 * come from the document's typesetting (they also split 陈 xx and XX 市无线电管理处), so 2013年09月24日.
 */
export function cityDate(d: IsoDate): string {
  return formatPaddedChineseDate(d);
}

/**
 * Province level, 4.3.3 / 4.3.6 / 4.3.7: "每个证照具体的返回字段", the certificate's own surface
 * fields under its type's column names (the ID card of the examples: certno, gmsfhm, name), and
 * cert_identifier, the identifier ShareDownloadUrl takes.
 */
export function provinceInfoItem(c: Certificate): Record<string, string> {
  return { ...Object.fromEntries(c.surface.map((s) => [s.columnName, s.value])), cert_identifier: c.id };
}

/** Province level, 4.3.2: contentType says the scheme of the URL in content (http or https). */
export function provinceFileItem(c: CertificateSummary, url: string) {
  return { certIdentifier: c.id, contentType: linkProtocol(url), content: url };
}

/** City level, 4.3.2. */
export function cityFileItem(c: CertificateSummary, format: string, url: string) {
  return {
    issueDept: c.issuer.name, certificateNumber: c.number, fileUrl: url, issueDate: cityDate(c.issueDate),
    fileFormat: format.toUpperCase(), certificateType: c.typeName,
  };
}

/**
 * City level, 4.3.3 (and 4.3.7, whose city part the document lost): the national F.1.5 record the
 * example follows, dates the city's way. Beyond the example: surface (the table calls the items
 * 照面信息, the example omits them), and certificateID and certificateTypeCode, so a listing by
 * holder names what ShareDownloadUrl takes. digitalSign is the SM2 signature over the canonical
 * record (national date rendering), as the national interface returns it.
 */
export function cityInfoItem(c: Certificate) {
  const canonical = canonicalData(c);
  return {
    ...canonical,
    issueDate: cityDate(c.issueDate),
    certificateValidateStart: c.validFrom ? cityDate(c.validFrom) : '',
    certificateValidateEnd: c.validTo ? cityDate(c.validTo) : LONG_TERM,
    digitalSign: c.digitalSign ?? '',
  };
}

const STATE: Readonly<Record<Usability, string>> = { usable: '正常有效', suspended: '暂时失效', expired: '已过期', abolished: '已废止', draft: '未签发' };

/**
 * City level, 4.3.6: one object, as the example shows (its table copies the province's dataList).
 * fileNumber is "证照标识", the value ShareDownloadUrl takes: our certificate identifier; licenseId
 * the same (we keep no second internal identifier); abstractCode the certificate's check code
 * (查验码); img_sign_fileid names an image file we do not keep, so it is empty.
 */
export function qrCityItem(c: Certificate, state: Usability, abstractCode: string) {
  return {
    img_sign_fileid: '',
    license_name: c.name,
    fileNumber: c.id,
    issue_unitname: c.issuer.name,
    valid_time_begin: c.validFrom ?? '',
    holder: c.holder.name,
    license_state: STATE[state],
    valid_time_end: c.validTo ?? LONG_TERM,
    licenseId: c.id,
    abstractCode,
    license_number: c.number,
  };
}
