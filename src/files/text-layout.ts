import PDFDocument from 'pdfkit';
import * as fontkit from 'fontkit';
import { cjkFontBytes } from './cjk-font.js';

/**
 * Measuring and wrapping text exactly as the PDF renderer does, so the two files of a certificate
 * break lines at the same places: CJK runs in Source Han Sans (fontkit metrics), Latin runs in
 * Helvetica metrics. OFD readers draw the Latin runs with a system sans (Arial, or Liberation Sans,
 * which has the same widths); every glyph's advance is written out (DeltaX), so positions do not
 * depend on the reader's font.
 */
export type FontKind = 'cjk' | 'latin';

export interface Run {
  font: FontKind;
  text: string;
  /** Advance of each character, points. */
  advances: number[];
  width: number;
}
export type Line = Run[];

/** What of a fontkit font the layout and the glyph outlines use. */
export interface PathCommand { command: 'moveTo' | 'lineTo' | 'quadraticCurveTo' | 'bezierCurveTo' | 'closePath'; args: number[] }
export interface CjkFont {
  unitsPerEm: number;
  bbox: { minX: number; minY: number; maxX: number; maxY: number };
  glyphForCodePoint(cp: number): { id: number; advanceWidth: number; path: { commands: PathCommand[] } };
}
let cjk: CjkFont | undefined;
let helvetica: PDFKit.PDFDocument | undefined;

/** The CJK font, parsed once per thread. */
export function cjkFont(): CjkFont {
  return (cjk ??= fontkit.create(cjkFontBytes()) as unknown as CjkFont);
}

function advance(font: FontKind, ch: string, size: number): number {
  if (font === 'cjk') {
    const f = cjkFont();
    return (f.glyphForCodePoint(ch.codePointAt(0)!).advanceWidth / f.unitsPerEm) * size;
  }
  // pdfkit carries the Helvetica AFM metrics and their WinAnsi mapping; a document that never
  // gets a page is only a measuring tool here.
  helvetica ??= new PDFDocument({ autoFirstPage: false });
  return helvetica.font('Helvetica').fontSize(size).widthOfString(ch);
}

/** Printable ASCII and Latin-1 go to the Latin font (as in the PDF); everything else to the CJK font. */
export function fontFor(ch: string): FontKind {
  const c = ch.codePointAt(0)!;
  return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) ? 'latin' : 'cjk';
}

/** Splits text into font runs and wraps it to maxWidth points. */
export function layoutText(text: string, size: number, maxWidth: number): Line[] {
  const lines: Line[] = [[]];
  let width = 0;
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    if (ch === '\n') { lines.push([]); width = 0; continue; }
    const font = fontFor(ch);
    const cw = advance(font, ch, size);
    if (width + cw > maxWidth && width > 0) { lines.push([]); width = 0; }
    const line = lines[lines.length - 1]!;
    const last = line[line.length - 1];
    if (last && last.font === font) { last.text += ch; last.advances.push(cw); last.width += cw; } else line.push({ font, text: ch, advances: [cw], width: cw });
    width += cw;
  }
  return lines;
}

export const lineWidth = (line: Line): number => line.reduce((s, r) => s + r.width, 0);
