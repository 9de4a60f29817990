import { parseDate } from './dates.js';

/** Holder code types of ZWFW C 0124 appendix B (table B.1), with their check rules. */
export type HolderCategory = 'legal' | 'natural';

export interface HolderCodeType {
  code: string;
  name: string;
  category: HolderCategory;
}

export const HOLDER_CODE_TYPES: readonly HolderCodeType[] = [
  { code: '001', name: '统一社会信用代码', category: 'legal' },
  { code: '099', name: '其他法人或其他组织有效证件代码', category: 'legal' },
  { code: '111', name: '公民身份号码', category: 'natural' },
  { code: '114', name: '中国人民解放军军官证编号', category: 'natural' },
  { code: '115', name: '中国人民武装警察部队警官证编号', category: 'natural' },
  { code: '118', name: '中国人民解放军士兵证编号', category: 'natural' },
  { code: '119', name: '中国人民武装警察部队士兵证编号', category: 'natural' },
  { code: '120', name: '中国人民解放军文职人员证编号', category: 'natural' },
  { code: '122', name: '中国人民武装警察部队文职人员证编号', category: 'natural' },
  { code: '411', name: '外交护照护照号', category: 'natural' },
  { code: '412', name: '公务护照护照号', category: 'natural' },
  { code: '413', name: '公务普通护照护照号', category: 'natural' },
  { code: '414', name: '普通护照护照号', category: 'natural' },
  { code: '511', name: '台湾居民来往大陆通行证号码', category: 'natural' },
  { code: '516', name: '港澳居民来往内地通行证号码', category: 'natural' },
  { code: '999', name: '其他自然人有效证件代码', category: 'natural' },
];

const BY_CODE = new Map(HOLDER_CODE_TYPES.map((t) => [t.code, t]));

export function holderCodeType(code: string): HolderCodeType | undefined {
  return BY_CODE.get(code);
}

// ---- GB 11643 citizen identity number ----
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

export function citizenIdCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

/** 18 characters: region (6, not 000000), birth date (8, a real date from 1900 on), sequence (3), check digit. */
export function isValidCitizenId(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  if (id.startsWith('000000')) return false;
  const birth = parseDate(id.slice(6, 14));
  if (!birth || birth < '1900-01-01') return false;
  return citizenIdCheckDigit(id.slice(0, 17)) === id[17];
}

export function makeCitizenId(areaCode: string, birth: string, sequence: number): string {
  const first17 = `${areaCode}${birth}${String(sequence).padStart(3, '0')}`;
  if (!/^\d{17}$/.test(first17)) throw new Error('area code (6 digits), birth date (8 digits) and sequence 0-999 expected');
  return first17 + citizenIdCheckDigit(first17);
}

// ---- GB 32100 unified social credit code ----
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i]!);
    if (v < 0) throw new Error(`not a GB 32100 character: ${first17[i]}`);
    sum += v * USCC_WEIGHTS[i]!;
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  return creditCodeCheckChar(code.slice(0, 17)) === code[17];
}

export function makeCreditCode(registrationDept: string, orgCategory: string, areaCode: string, orgCode: string): string {
  const first17 = `${registrationDept}${orgCategory}${areaCode}${orgCode}`;
  if (first17.length !== 17) throw new Error('1 + 1 + 6 + 9 characters expected');
  return first17 + creditCodeCheckChar(first17);
}

// ---- against a code type ----
export type HolderCodeProblem = 'unknown-type' | 'empty' | 'check-digit' | 'format';

export function checkHolderCode(typeCode: string, holderCode: string): { ok: true } | { ok: false; problem: HolderCodeProblem; message: string } {
  if (!holderCodeType(typeCode)) return { ok: false, problem: 'unknown-type', message: `unknown holder code type ${typeCode} (appendix B)` };
  if (!holderCode || !holderCode.trim()) return { ok: false, problem: 'empty', message: 'empty holder code' };
  if (typeCode === '111') {
    if (!/^\d{17}[\dX]$/.test(holderCode)) return { ok: false, problem: 'format', message: 'a citizen ID number has 17 digits and a check digit (GB 11643)' };
    if (!isValidCitizenId(holderCode)) return { ok: false, problem: 'check-digit', message: 'citizen ID number fails its GB 11643 check (check digit or birth date)' };
    return { ok: true };
  }
  if (typeCode === '001') {
    if (!/^[0-9A-Z]{18}$/.test(holderCode)) return { ok: false, problem: 'format', message: 'a unified social credit code has 18 characters (GB 32100)' };
    if (!isValidCreditCode(holderCode)) return { ok: false, problem: 'check-digit', message: 'unified social credit code fails its GB 32100 check character' };
    return { ok: true };
  }
  if (holderCode.length > 64 || /[\u0000-\u001f\u007f]/.test(holderCode)) return { ok: false, problem: 'format', message: 'holder code: at most 64 printable characters' };
  return { ok: true };
}

export function inferHolderCodeType(holderCode: string): string | undefined {
  if (isValidCitizenId(holderCode)) return '111';
  if (isValidCreditCode(holderCode)) return '001';
  return undefined;
}
