/**
 * Just enough of a PDF object reader (ISO 32000-1 7.3) to check a signature: direct objects
 * (dictionaries, arrays, strings, names, numbers, references), indirect objects found by their
 * "N G obj" header, and the trailer. It does not read xref streams or object streams: the files it
 * checks are the ones this project writes (classic xref tables), and a file it cannot read is
 * reported, not guessed at. Everything throws on malformed input; the inspector catches.
 */

export interface PdfName { kind: 'name'; name: string }
export interface PdfRef { kind: 'ref'; num: number; gen: number }
/** A string's bytes, and where its delimiters sit in the file (start at `(` or `<`, end after `)` or `>`). */
export interface PdfString { kind: 'string'; bytes: Buffer; hex: boolean; start: number; end: number }
export type PdfDict = Map<string, PdfValue>;
export type PdfValue = number | boolean | null | PdfName | PdfRef | PdfString | PdfValue[] | PdfDict;

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

/** Reads one direct object starting at `pos` (after optional whitespace); returns it and where it ends. */
export function readValue(buf: Buffer, pos: number, depth = 0): { value: PdfValue; end: number } {
  if (depth > 32) throw new Error('objects nested too deeply');
  let p = skipSpace(buf, pos);
  const c = buf[p];
  if (c === undefined) throw new Error('unexpected end of file');
  if (c === 0x3c && buf[p + 1] === 0x3c) return readDict(buf, p + 2, depth);
  if (c === 0x3c) return readHexString(buf, p);
  if (c === 0x28) return readLiteralString(buf, p);
  if (c === 0x2f) return readName(buf, p);
  if (c === 0x5b) {
    const items: PdfValue[] = [];
    p++;
    for (;;) {
      p = skipSpace(buf, p);
      if (buf[p] === 0x5d) return { value: items, end: p + 1 };
      const item = readValue(buf, p, depth + 1);
      items.push(item.value);
      p = item.end;
    }
  }
  const word = /^[+\-.\dA-Za-z]+/.exec(buf.toString('latin1', p, Math.min(buf.length, p + 40)))?.[0];
  if (word === 'true' || word === 'false') return { value: word === 'true', end: p + word.length };
  if (word === 'null') return { value: null, end: p + 4 };
  if (word && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
    // "N G R" is a reference; look ahead without consuming when it is not.
    const ref = /^(\d+)\s+(\d+)\s+R(?![^\s()<>[\]{}/%])/.exec(buf.toString('latin1', p, Math.min(buf.length, p + 40)));
    if (ref) return { value: { kind: 'ref', num: Number(ref[1]), gen: Number(ref[2]) }, end: p + ref[0].length };
    return { value: Number(word), end: p + word.length };
  }
  throw new Error(`unexpected token at byte ${p}`);
}

function readDict(buf: Buffer, pos: number, depth: number): { value: PdfDict; end: number } {
  const dict: PdfDict = new Map();
  let p = pos;
  for (;;) {
    p = skipSpace(buf, p);
    if (buf[p] === 0x3e && buf[p + 1] === 0x3e) return { value: dict, end: p + 2 };
    const key = readValue(buf, p, depth + 1);
    if (!isName(key.value)) throw new Error(`dictionary key is not a name at byte ${p}`);
    const value = readValue(buf, key.end, depth + 1);
    dict.set(key.value.name, value.value);
    p = value.end;
  }
}

function readHexString(buf: Buffer, start: number): { value: PdfString; end: number } {
  const close = buf.indexOf(0x3e, start + 1);
  if (close === -1) throw new Error('unterminated hex string');
  const digits = buf.toString('latin1', start + 1, close).replace(/[\0\t\n\f\r ]/g, '');
  if (!/^[0-9a-fA-F]*$/.test(digits)) throw new Error(`hex string at byte ${start} holds a non-hex character`);
  const bytes = Buffer.from(digits.length % 2 ? `${digits}0` : digits, 'hex');
  return { value: { kind: 'string', bytes, hex: true, start, end: close + 1 }, end: close + 1 };
}

const ESCAPES: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, f: 0x0c, '(': 0x28, ')': 0x29, '\\': 0x5c };

function readLiteralString(buf: Buffer, start: number): { value: PdfString; end: number } {
  const out: number[] = [];
  let nesting = 1;
  let p = start + 1;
  while (p < buf.length) {
    const c = buf[p++]!;
    if (c === 0x5c) {
      const e = buf[p++];
      if (e === undefined) break;
      const ch = String.fromCharCode(e);
      if (ESCAPES[ch] !== undefined) out.push(ESCAPES[ch]!);
      else if (ch >= '0' && ch <= '7') {
        let octal = ch;
        while (octal.length < 3 && buf[p] !== undefined && buf[p]! >= 0x30 && buf[p]! <= 0x37) octal += String.fromCharCode(buf[p++]!);
        out.push(parseInt(octal, 8) & 0xff);
      } else if (e === 0x0d) { if (buf[p] === 0x0a) p++; } // line continuation
      else if (e !== 0x0a) out.push(e);
      continue;
    }
    if (c === 0x28) nesting++;
    if (c === 0x29 && --nesting === 0) return { value: { kind: 'string', bytes: Buffer.from(out), hex: false, start, end: p }, end: p };
    out.push(c);
  }
  throw new Error('unterminated string');
}

function readName(buf: Buffer, start: number): { value: PdfName; end: number } {
  let p = start + 1;
  while (p < buf.length && !WHITESPACE.has(buf[p]!) && !DELIMITERS.has(buf[p]!)) p++;
  const name = buf.toString('latin1', start + 1, p).replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return { value: { kind: 'name', name }, end: p };
}

function skipSpace(buf: Buffer, pos: number): number {
  let p = pos;
  for (;;) {
    while (p < buf.length && WHITESPACE.has(buf[p]!)) p++;
    if (buf[p] !== 0x25) return p; // % comment to the end of the line
    while (p < buf.length && buf[p] !== 0x0a && buf[p] !== 0x0d) p++;
  }
}

export function isName(v: PdfValue | undefined, name?: string): v is PdfName {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && v.kind === 'name' && (name === undefined || v.name === name);
}

export function isString(v: PdfValue | undefined): v is PdfString {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && v.kind === 'string';
}

export function isRef(v: PdfValue | undefined): v is PdfRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && v.kind === 'ref';
}

/**
 * The last definition of object N G within buf (a later revision overrides an earlier one), or
 * undefined. Pass only the part of the file that counts, e.g. the signed revision.
 */
export function readObject(buf: Buffer, num: number, gen: number): PdfValue | undefined {
  const header = `${num} ${gen} obj`;
  let at = buf.lastIndexOf(header);
  // "12 0 obj" must not match the tail of "112 0 obj".
  while (at > 0 && !WHITESPACE.has(buf[at - 1]!)) at = buf.lastIndexOf(header, at - 1);
  if (at === -1) return undefined;
  return readValue(buf, at + header.length).value;
}

/** A value, with an indirect reference followed once. */
export function resolve(buf: Buffer, v: PdfValue | undefined): PdfValue | undefined {
  return isRef(v) ? readObject(buf, v.num, v.gen) : v;
}

/** The last trailer dictionary in buf. */
export function readTrailer(buf: Buffer): PdfDict | undefined {
  const at = buf.lastIndexOf('trailer');
  if (at === -1) return undefined;
  const { value } = readValue(buf, at + 'trailer'.length);
  return value instanceof Map ? value : undefined;
}

/** A text string (7.9.2.2): UTF-16BE with a byte order mark, UTF-8 with one (PDF 2.0), else PDFDocEncoding, read as Latin-1. */
export function decodeText(s: PdfString): string {
  const b = s.bytes;
  if (b[0] === 0xfe && b[1] === 0xff) return Buffer.from(b.subarray(2, b.length - (b.length % 2))).swap16().toString('utf16le');
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  return b.toString('latin1');
}

/** A PDF date (7.9.4) "D:YYYYMMDDHHmmSSOHH'mm" as an ISO 8601 instant, or undefined. */
export function pdfDateToIso(text: string): string | undefined {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz])|([+-])(\d{2})'?(\d{2})?'?)?/.exec(text);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', , sign, oh, om = '00'] = m;
  const zone = sign ? `${sign}${oh}:${om}` : 'Z';
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
