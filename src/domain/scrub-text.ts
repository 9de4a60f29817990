import { isValidCitizenId } from './holder-code.js';
import { maskValue } from './mask.js';

/** 18-character citizen ID numbers (GB 11643) inside other text, not part of a longer run of digits. */
const EMBEDDED_ID = /(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])/g;

/**
 * Caller-supplied free text kept in records (a use's reason, operator, item name, context values)
 * with every valid citizen ID number in it masked as the sharing answers mask it (110105********0011).
 * A caller may write the holder's ID number into its reason; the record keeps the fact of the use,
 * the holder is already filed under a blind index, so the number itself is not kept at rest.
 * Only numbers whose check digit is right are touched: case numbers and other digit runs stay.
 */
export function scrubIdNumbers(text: string): string;
export function scrubIdNumbers(text: string | undefined): string | undefined;
export function scrubIdNumbers(text: string | undefined): string | undefined {
  if (text === undefined || text.length < 18 || !hasDigitRun(text)) return text;
  return text.replace(EMBEDDED_ID, (m) => (isValidCitizenId(m.toUpperCase()) ? maskValue(m) : m));
}

/** Whether the text has 17 digits in a row: most reasons have none, and skip the pattern (a use's hot path). */
function hasDigitRun(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) { if (++run === 17) return true; } else run = 0;
  }
  return false;
}
