import { parseCertificateId } from './identifier.js';

/**
 * Where a certificate belongs: administrative division codes (GB/T 2260), the data-source codes of
 * the front-DB tables (ZWFW C 0124 appendix H, DataSource) and the registration area a certificate
 * identifier carries through its issuer's unified social credit code (GB 32100: characters 3-8).
 */

/** First two digits of every province-level division in GB/T 2260 (including 71 Taiwan, 81 Hong Kong, 82 Macao). */
const PROVINCES = new Set(['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82']);

/** A six-digit GB/T 2260 code of a real province-level prefix (the rest is not checked against the code list). */
export function isAreaCode(code: string): boolean {
  return /^\d{6}$/.test(code) && PROVINCES.has(code.slice(0, 2));
}

/**
 * The digits every code inside a division shares: 510000 (a province) → 51, 510100 (a city) → 5101,
 * 510107 (a county) → 510107.
 */
export function areaPrefix(code: string): string {
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}

/** Whether `code` lies inside the division `area` (or is it). */
export function withinArea(area: string, code: string): boolean {
  return code.startsWith(areaPrefix(area));
}

/**
 * The registration area of a certificate's issuer, read from the identifier (GB/T 36904: the issuer's
 * unified social credit code, whose characters 3-8 are its registration authority's division code).
 * Undefined for an identifier that does not parse.
 */
export function issuerAreaOf(certificateId: string): string | undefined {
  const parsed = parseCertificateId(certificateId.trim());
  return parsed.ok ? parsed.parts.issuerCode.slice(2, 8) : undefined;
}

/**
 * Appendix H DataSource: three digits, the first 0 (a central department, then its two-digit code)
 * or 1 (a region, then the first two digits of its division code).
 */
export function isDataSource(code: string): boolean {
  return /^[01]\d{2}$/.test(code) && (code[0] === '0' || PROVINCES.has(code.slice(1)));
}

/** The regional data-source code of a division: 510000 → 151. */
export function regionalDataSource(area: string): string {
  return `1${area.slice(0, 2)}`;
}

/** Why a data source and the division codes given with it disagree, or undefined when they agree. */
export function dataSourceProblem(dataSource: string, areas: readonly string[]): string | undefined {
  if (!isDataSource(dataSource)) return `data source ${dataSource}: three digits, 0xx for a central department or 1 + the region's first two division digits (appendix H)`;
  const bad = areas.find((a) => !isAreaCode(a));
  if (bad !== undefined) return `area code ${bad}: six digits of GB/T 2260`;
  if (dataSource[0] === '1') {
    const foreign = areas.find((a) => regionalDataSource(a) !== dataSource);
    if (foreign !== undefined) return `area code ${foreign} is not in region ${dataSource.slice(1)}, which data source ${dataSource} names`;
  }
  return undefined;
}
