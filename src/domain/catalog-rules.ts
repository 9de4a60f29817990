import { checkHolderCode, holderCodeType, isValidCreditCode } from './holder-code.js';
import { parseCertificateId } from './identifier.js';

/**
 * Rules a certificate's catalog data must satisfy wherever it enters a node: an import file
 * (F.1.5 records) or the front DB (appendix H rows). Each answers what is wrong, in words that
 * follow the field's name, or undefined; the caller names the field in its own vocabulary.
 */

/** ZWFW C 0123: the defining authority's 18-character code, then a 3-digit sequence. */
export function typeCodeRule(code: string): string | undefined {
  return /^[0-9A-Z]{18}\d{3}$/.test(code) ? undefined : 'must be 18-character authority code + 3 digits (ZWFW C 0123)';
}

/** Appendix B (table B.1). */
export function holderTypeRule(type: string): string | undefined {
  return holderCodeType(type) ? undefined : `${type} is not an appendix B code type`;
}

/** The code against its type: GB 11643 check digit for 111, GB 32100 check character for 001. */
export function holderCodeRule(type: string, code: string): string | undefined {
  const r = checkHolderCode(type, code);
  return r.ok ? undefined : r.message;
}

export function issuerCodeRule(code: string): string | undefined {
  return isValidCreditCode(code) ? undefined : 'not a valid unified social credit code (GB 32100)';
}

/** Province-level codes of GB/T 2260 (the first two digits of every administrative division code). */
export const PROVINCE_CODES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43', '44', '45', '46',
  '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82',
]);

/** GB/T 2260 shape: six digits whose first two name a province-level division. */
export function areaCodeRule(code: string): string | undefined {
  if (!/^\d{6}$/.test(code)) return 'must be a 6-digit GB/T 2260 code';
  if (!PROVINCE_CODES.has(code.slice(0, 2))) return `must be a GB/T 2260 code: ${code.slice(0, 2)} is no province-level division`;
  return undefined;
}

/**
 * A GB/T 36904 identifier, well formed, with its check character, naming the type and issuer the
 * record gives.
 */
export function identifierRule(id: string, typeCode: string, issuerCode: string): string | undefined {
  return parsedIdentifierRule(parseCertificateId(id), typeCode, issuerCode);
}

/** identifierRule for an identifier parsed already (the caller needs its parts too). */
export function parsedIdentifierRule(p: ReturnType<typeof parseCertificateId>, typeCode: string, issuerCode: string): string | undefined {
  if (!p.ok) return p.message;
  if (p.parts.typeCode !== typeCode || p.parts.issuerCode !== issuerCode) {
    return 'its type code and issuer code must match the certificate type code and the issuer code';
  }
  return undefined;
}

/**
 * Appendix H DataSource: three digits; 0 and a central department's code, or 1 and the province's
 * two-digit GB/T 2260 code, which must then be the province of the certificate's area code.
 */
export function dataSourceRule(dataSource: string, areaCode?: string): string | undefined {
  if (!/^[01]\d{2}$/.test(dataSource)) return 'must be three digits, the first 0 (central department) or 1 (region)';
  if (dataSource[0] === '1') {
    const province = dataSource.slice(1);
    if (!PROVINCE_CODES.has(province)) return `1${province}: ${province} is no province-level GB/T 2260 code`;
    if (areaCode && /^\d{6}$/.test(areaCode) && areaCode.slice(0, 2) !== province) {
      return `1${province} names another province than the area code ${areaCode}`;
    }
  }
  return undefined;
}

/** The data-source code of a region: 1 and its province's two digits (appendix H, item 17). */
export function regionDataSource(areaCode: string): string | undefined {
  return /^\d{6}$/.test(areaCode) && PROVINCE_CODES.has(areaCode.slice(0, 2)) ? `1${areaCode.slice(0, 2)}` : undefined;
}
