import type { Certificate } from './model.js';
import { formatChineseDate } from './dates.js';

/**
 * The canonical structured data of a certificate: what its digital signature covers.
 *
 * The shared core follows the national standard (ZWFW C 0124), so the canonical record uses the
 * national field names of appendix F.1.5, the national date rendering (2014年3月4日), plus the
 * certificate's identifier (certificateID) and type code, which F.1.5 leaves out but which bind the
 * data to one certificate. The bytes signed are this record serialised per RFC 8785 (JSON
 * Canonicalization Scheme): object keys sorted, no whitespace, UTF-8. Every value is a string, so
 * JCS here is JSON.stringify over sorted keys; `jq -cjS 'del(.digitalSign)'` reproduces it from a
 * GetCertificateDataBy… response item.
 */
export interface CanonicalCertificateData {
  certificateID: string;
  certificateType: string;
  certificateTypeCode: string;
  certificateName: string;
  certificateHolder: string;
  certificateHolderCode: string;
  certificateHolderType: string;
  issueDept: string;
  issueDeptCode: string;
  certificateNumber: string;
  issueDate: string;
  certificateValidateStart: string;
  certificateValidateEnd: string;
  surface: { name: string; value: string; valueType: string; columnName: string }[];
  detail: { group: string; datalist: { name: string; valueType: string; value: string; columnName: string; orderNum: string }[] }[];
}

export const LONG_TERM = '长期';

export function canonicalData(c: Certificate): CanonicalCertificateData {
  return {
    certificateID: c.id,
    certificateType: c.typeName,
    certificateTypeCode: c.typeCode,
    certificateName: c.name,
    certificateHolder: c.holder.name,
    certificateHolderCode: c.holder.code,
    certificateHolderType: c.holder.codeType,
    issueDept: c.issuer.name,
    issueDeptCode: c.issuer.code,
    certificateNumber: c.number,
    issueDate: formatChineseDate(c.issueDate),
    certificateValidateStart: c.validFrom ? formatChineseDate(c.validFrom) : '',
    certificateValidateEnd: c.validTo ? formatChineseDate(c.validTo) : LONG_TERM,
    surface: c.surface.map((s) => ({ name: s.name, value: s.value, valueType: s.valueType, columnName: s.columnName })),
    detail: c.detail.map((g) => ({
      group: g.group,
      datalist: g.values.map((v) => ({ name: v.name, valueType: v.valueType, value: v.value, columnName: v.columnName, orderNum: v.orderNum })),
    })),
  };
}

/** RFC 8785 canonical JSON for values made of strings, arrays and plain objects. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function signedBytes(c: Certificate): Buffer {
  return Buffer.from(canonicalJson(canonicalData(c)), 'utf8');
}
