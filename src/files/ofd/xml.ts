/** Writing the XML parts of an OFD package: escaping and one element builder, nothing more. */

export const OFD_NS = 'http://www.ofdspec.org/2016';

// XML 1.0 forbids most control characters even as references: they are dropped, not escaped.
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function esc(s: string): string {
  return s.replace(INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

type Attr = string | number | boolean | undefined;

/** `<ofd:name a="v">children</ofd:name>`; undefined attributes are left out, children are already XML. */
export function el(name: string, attrs: Record<string, Attr> = {}, ...children: string[]): string {
  const a = Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${esc(String(v))}"`).join('');
  const body = children.join('');
  return body ? `<ofd:${name}${a}>${body}</ofd:${name}>` : `<ofd:${name}${a}/>`;
}

/** An element holding text. */
export function text(name: string, value: string | number, attrs: Record<string, Attr> = {}): string {
  const a = Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${esc(String(v))}"`).join('');
  return `<ofd:${name}${a}>${esc(String(value))}</ofd:${name}>`;
}

/** A whole part: the declaration and a root element that declares the ofd namespace. */
export function part(rootName: string, attrs: Record<string, Attr>, ...children: string[]): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${el(rootName, { 'xmlns:ofd': OFD_NS, ...attrs }, ...children)}`, 'utf8');
}

/** Millimetres with at most three decimals, as OFD writes lengths. */
export const num = (v: number): string => String(Math.round(v * 1000) / 1000);

export const box = (x: number, y: number, w: number, h: number): string => [x, y, w, h].map(num).join(' ');
