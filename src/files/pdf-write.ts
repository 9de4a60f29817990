import { isName, isRef, isString, type PdfDict, type PdfValue } from './pdf-objects.js';

/**
 * Writing PDF objects (ISO 32000-1 7.3) and an incremental update (7.5.6): new and replaced objects
 * appended after the file's last byte, with their own cross-reference section and a trailer that
 * points back (/Prev) to the previous one. The bytes before stay exactly as they were.
 */

/** A value to write: what pdf-objects reads, plus raw text written as is (operators, prepared strings). */
export type PdfOut = PdfValue | { raw: string } | PdfOut[] | Map<string, PdfOut>;

export const name = (n: string): PdfValue => ({ kind: 'name', name: n });
export const ref = (num: number): PdfValue => ({ kind: 'ref', num, gen: 0 });
export const raw = (text: string): { raw: string } => ({ raw: text });

/** A text string (7.9.2.2): UTF-16BE with its byte order mark, in hex. */
export function textString(s: string): { raw: string } {
  return raw(`<feff${Buffer.from(s, 'utf16le').swap16().toString('hex')}>`);
}

export function serialize(v: PdfOut): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 10000) / 10000);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(serialize).join(' ')}]`;
  if (v instanceof Map) return `<< ${[...v].map(([k, x]) => `/${escapeName(k)} ${serialize(x)}`).join(' ')} >>`;
  if ('raw' in v) return v.raw;
  if (isName(v)) return `/${escapeName(v.name)}`;
  if (isRef(v)) return `${v.num} ${v.gen} R`;
  if (isString(v)) return `<${v.bytes.toString('hex')}>`;
  throw new Error('not a PDF value');
}

function escapeName(n: string): string {
  return n.replace(/[^!-~]|[#()<>[\]{}/%]/g, (c) => `#${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Builds the update: objects in the order added, then the cross-reference section and trailer. */
export class IncrementalUpdate {
  private readonly parts: Buffer[] = [];
  private readonly offsets = new Map<number, number>();
  private length: number;
  private nextNum: number;

  constructor(private readonly original: Buffer, private readonly trailer: PdfDict) {
    const size = trailer.get('Size');
    if (typeof size !== 'number') throw new Error('the trailer has no /Size');
    this.nextNum = size;
    // The update starts on a line of its own: the original need not end with an end-of-line.
    this.length = original.length;
    this.push(Buffer.from('\n'));
  }

  /** A number for a new object. */
  allocate(): number {
    return this.nextNum++;
  }

  /** Writes object `num` (new, or replacing an earlier one); returns the offset of its bytes. */
  object(num: number, value: PdfOut | string): void {
    this.offsets.set(num, this.length);
    this.push(Buffer.from(`${num} 0 obj\n${typeof value === 'string' ? value : serialize(value)}\nendobj\n`, 'latin1'));
  }

  stream(num: number, data: Buffer | string, dict: Map<string, PdfOut> = new Map()): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    dict.set('Length', bytes.length);
    this.offsets.set(num, this.length);
    this.push(Buffer.from(`${num} 0 obj\n${serialize(dict)}\nstream\n`, 'latin1'));
    this.push(bytes);
    this.push(Buffer.from('\nendstream\nendobj\n'));
  }

  /** The whole file: the original, the objects, one xref subsection per run of numbers, the trailer. */
  finish(prevXref: number, info?: PdfValue): Buffer {
    const xrefAt = this.length;
    const nums = [...this.offsets.keys()].sort((a, b) => a - b);
    let xref = 'xref\n';
    for (let i = 0; i < nums.length;) {
      let j = i;
      while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
      xref += `${nums[i]} ${j - i + 1}\n`;
      for (let k = i; k <= j; k++) xref += `${String(this.offsets.get(nums[k]!)).padStart(10, '0')} 00000 n \n`;
      i = j + 1;
    }
    const trailer = new Map<string, PdfOut>(this.trailer);
    trailer.delete('Prev');
    trailer.delete('XRefStm');
    trailer.set('Size', this.nextNum);
    if (info) trailer.set('Info', info);
    trailer.set('Prev', prevXref);
    this.push(Buffer.from(`${xref}trailer\n${serialize(trailer)}\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
    return Buffer.concat([this.original, ...this.parts]);
  }

  private push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
}

/** Where the file's last cross-reference section starts (its last startxref). */
export function lastXrefOffset(buf: Buffer): number {
  const tail = buf.toString('latin1', Math.max(0, buf.length - 64));
  const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  if (!m) throw new Error('no startxref at the end of the file');
  return Number(m[1]);
}
