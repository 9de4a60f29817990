import { cstDate, formatChineseDate, type IsoDate } from './dates.js';

/**
 * The statement an annotated copy (电子证照加注件, GB/T 36903 3.2) carries: what it may be used for
 * and until when, as the national standard words it ("附加用途、有效期限等声明信息").
 */
export function annotationText(reason: string, expiresAt: number): string {
  return `仅供${reason.trim()}使用，有效期至${formatChineseDate(cstDate(new Date(expiresAt)))}`;
}

const CST_OFFSET_MS = 8 * 3600 * 1000;

/** A copy valid "until" a date is valid through the end of that day in China Standard Time. */
export function endOfCstDay(d: IsoDate): number {
  return Date.parse(`${d}T00:00:00Z`) - CST_OFFSET_MS + 86_400_000 - 1;
}

/** ISO 8601 with the +08:00 offset, as the copy's metadata writes times. */
export function cstIso(at: number): string {
  return new Date(at + CST_OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

/** National appendix A and Zaozhuang 4.3.2: a copy's reason is at most 200 characters. */
export const MAX_COPY_REASON = 200;

export type CopyProblem = 'expiry-past' | 'reason-missing' | 'reason-too-long';

/**
 * The rule an annotated copy's terms obey, wherever they are checked: when a link to it is handed
 * out (sharing) and again when the file is made (certificate files).
 */
export function copyProblem(terms: { reason: string; expiresAt: number }, now: number): CopyProblem | undefined {
  const reason = terms.reason.trim();
  if (!reason) return 'reason-missing';
  if ([...reason].length > MAX_COPY_REASON) return 'reason-too-long';
  if (!(terms.expiresAt > now)) return 'expiry-past';
  return undefined;
}
