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
 * Masks a person's name the usual way: its first character kept, one asterisk for each other
 * character (王* , 欧阳** ); a name of one character is hidden whole. Characters are code points, so a
 * name written with CJK Extension B characters (outside the BMP) keeps whole characters.
 */
export function maskName(v: string): string {
  const chars = [...v];
  if (chars.length === 0) return v;
  if (chars.length === 1) return '*';
  return chars[0]! + '*'.repeat(chars.length - 1);
}

/** Whether a value is the holder's code itself (an identity number repeated in another field). */
function isHolderCode(value: string, holderCode: string): boolean {
  return holderCode !== '' && value.trim().toUpperCase() === holderCode.trim().toUpperCase();
}

/**
 * A certificate as shown to someone not entitled to its sensitive fields. What is masked follows
 * what a value is, not what its field is called: every value whose field definition says sensitive
 * or whose role is the holder's code, every value equal to the holder's code (an extension field
 * such as KZ_GMSFHM repeating it), the holder's code itself, and the certificate number where it is
 * the holder's code (identity cards, driving licences) or its field is sensitive. Values of the
 * holder-name role are masked as names; sensitive pictures are withheld.
 */
export function maskCertificate(c: Certificate, type: Pick<CertificateType, 'fields'>): Certificate {
  const fields = new Map(type.fields.map((f) => [f.columnName, f]));
  const nameSensitive = type.fields.some((f) => f.role === 'holderName' && f.sensitive);
  const mask = <T extends { columnName: string; valueType: string; value: string }>(v: T): T => {
    const f = fields.get(v.columnName);
    if (!(f?.sensitive || f?.role === 'holderCode' || isHolderCode(v.value, c.holder.code))) return v;
    if (v.valueType === 'picture') return { ...v, value: '' };
    return { ...v, value: f?.role === 'holderName' ? maskName(v.value) : maskValue(v.value) };
  };
  const numberSensitive = type.fields.some((f) => f.role === 'number' && f.sensitive) || isHolderCode(c.number, c.holder.code);
  return {
    ...c,
    number: numberSensitive ? maskValue(c.number) : c.number,
    holder: { ...c.holder, name: nameSensitive ? maskName(c.holder.name) : c.holder.name, code: maskValue(c.holder.code) },
    surface: c.surface.map(mask),
    detail: c.detail.map((g) => ({ ...g, values: g.values.map(mask) })),
  };
}
