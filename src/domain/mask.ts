import type { Certificate, CertificateType } from './model.js';

/**
 * Masks a sensitive value by its shape: an identity number keeps its first 6 and last 4 characters
 * (110105********1234), a mobile number its first 3 and last 4 (138****5678); anything else (an
 * address, a name) keeps its first third, at most 6 characters.
 */
export function maskValue(v: string): string {
  const chars = [...v];
  if (chars.length === 0) return v;
  if (/^\d{17}[\dXx]$/.test(v) || /^\d{15}$/.test(v)) return v.slice(0, 6) + '*'.repeat(v.length - 10) + v.slice(-4);
  if (/^1\d{10}$/.test(v)) return `${v.slice(0, 3)}****${v.slice(-4)}`;
  const keep = Math.min(6, Math.floor(chars.length / 3));
  return chars.slice(0, keep).join('') + '*'.repeat(Math.max(1, chars.length - keep));
}

/**
 * A certificate as shown to someone not entitled to its sensitive fields: every surface and detail
 * value whose field definition says sensitive is masked, and so is the holder's code. Pictures
 * marked sensitive are withheld.
 */
export function maskCertificate(c: Certificate, type: Pick<CertificateType, 'fields'>): Certificate {
  const sensitive = new Set(type.fields.filter((f) => f.sensitive).map((f) => f.columnName));
  const mask = <T extends { columnName: string; valueType: string; value: string }>(v: T): T =>
    sensitive.has(v.columnName) ? { ...v, value: v.valueType === 'picture' ? '' : maskValue(v.value) } : v;
  return {
    ...c,
    holder: { ...c.holder, code: maskValue(c.holder.code) },
    surface: c.surface.map(mask),
    detail: c.detail.map((g) => ({ ...g, values: g.values.map(mask) })),
  };
}
