import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliDecompressSync } from 'node:zlib';
import * as fontkit from 'fontkit';

/**
 * The CJK font of layout files: Source Han Sans CN (SIL Open Font Licence) as shipped, in one WOFF2
 * file, by the npm package @librescore/fonts, so `npm ci` brings it on any machine. That cut keeps the
 * CJK ideographs and punctuation (about 22,900 glyphs) and drops Latin, which the renderer sets in
 * a standard PDF font instead.
 *
 * The renderer gets it as a plain OpenType (SFNT) file, unpacked once per process with Node's native
 * Brotli: handed the WOFF2, fontkit decompresses it again in JavaScript for every document, which
 * cost about 0.3 s per PDF.
 */
let cached: Buffer | undefined;

export function cjkFontBytes(): Buffer {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const dir = require.resolve('@librescore/fonts/package.json').replace(/package\.json$/, '');
    const woff2 = readFileSync(`${dir}SourceHanSansCN.min.woff2`);
    cached = woff2ToSfnt(woff2) ?? woff2;
  }
  return cached;
}

interface Woff2Directory { flavor: number; totalCompressedSize: number; tables: Record<string, { length: number; transformLength?: number; transformed?: boolean }> }

/**
 * WOFF2 → SFNT for fonts without transformed tables (CFF-flavoured ones like this): the table
 * directory as fontkit reads it, the table data as one Brotli stream in directory order. Returns
 * undefined when a table is transformed (glyf/loca), which this does not rebuild.
 */
export function woff2ToSfnt(woff2: Buffer): Buffer | undefined {
  const font = fontkit.create(woff2) as { directory?: Woff2Directory; _dataPos?: number };
  const dir = font.directory;
  if (!dir || font._dataPos === undefined || Object.values(dir.tables).some((t) => t.transformed || t.transformLength !== undefined)) return undefined;
  const data = brotliDecompressSync(woff2.subarray(font._dataPos, font._dataPos + dir.totalCompressedSize));
  const entries = Object.entries(dir.tables);
  let at = 0;
  const tables = entries.map(([tag, t]) => {
    const bytes = data.subarray(at, at + t.length);
    at += t.length;
    return { tag, bytes };
  });
  if (at !== data.length) return undefined;
  tables.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  const n = tables.length;
  const headerSize = 12 + 16 * n;
  const padded = (len: number) => (len + 3) & ~3;
  const out = Buffer.alloc(headerSize + tables.reduce((sum, t) => sum + padded(t.bytes.length), 0));
  const pow = 2 ** Math.floor(Math.log2(n));
  out.writeUInt32BE(dir.flavor, 0);
  out.writeUInt16BE(n, 4);
  out.writeUInt16BE(pow * 16, 6);
  out.writeUInt16BE(Math.log2(pow), 8);
  out.writeUInt16BE(n * 16 - pow * 16, 10);
  let offset = headerSize;
  tables.forEach((t, i) => {
    const rec = 12 + 16 * i;
    out.write(t.tag.padEnd(4, ' '), rec, 'latin1');
    out.writeUInt32BE(checksum(t.bytes), rec + 4);
    out.writeUInt32BE(offset, rec + 8);
    out.writeUInt32BE(t.bytes.length, rec + 12);
    t.bytes.copy(out, offset);
    offset += padded(t.bytes.length);
  });
  return out;
}

function checksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 4) {
    const word = ((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0);
    sum = (sum + (word >>> 0)) >>> 0;
  }
  return sum;
}
