import PDFDocument from 'pdfkit';
import { cjkFontBytes } from './cjk-font.js';

export interface PdfField {
  name: string;
  value: string;
  /** picture: base64 PNG or JPEG */
  valueType: 'string' | 'picture';
}

export interface PdfRenderInput {
  title: string;
  fields: PdfField[];
  /** Lines at the bottom right: issuer, date. */
  footer?: string[];
  metadata: {
    certificateId: string; typeName: string; typeCode: string; holderCode: string; holderName: string;
    issuer: string; issuerCode: string; issueDate: string;
  };
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;
const RED = '#a61b1b';
const CJK = 'cjk';
const LATIN = 'Helvetica';

type Run = { font: string; text: string; width: number };
type Line = Run[];

/**
 * Renders a certificate's surface data as a one-page A4 PDF (电子证照版式文件): title, a two-column
 * table of fields, pictures, issuer and date, and the certificate's metadata in the document
 * information dictionary. The CJK font is embedded and subsetted; Latin runs use Helvetica because
 * the embedded CJK cut has no Latin glyphs.
 */
export async function renderCertificatePdf(input: PdfRenderInput): Promise<Uint8Array> {
  const m = input.metadata;
  const doc = new PDFDocument({
    size: A4,
    margin: MARGIN,
    info: {
      Title: input.title,
      Subject: m.certificateId,
      Author: m.issuer,
      Keywords: `certificateID=${m.certificateId}; typeCode=${m.typeCode}; holderCode=${m.holderCode}; issuerCode=${m.issuerCode}`,
      Producer: 'zhengzhao',
      Creator: 'zhengzhao',
    },
  });
  // GB/T 36903 metadata names, readable by any PDF tool from the information dictionary.
  Object.assign(doc.info, { ZZBS: m.certificateId, ZZLXDM: m.typeCode, ZZMC: m.typeName, CZZTDM: m.holderCode, ZZBFJGDM: m.issuerCode, ZZBFRQ: m.issueDate });
  doc.registerFont(CJK, cjkFontBytes());
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => { doc.on('end', resolve); doc.on('error', reject); });

  const [w, h] = A4;
  doc.lineWidth(3).strokeColor(RED).rect(MARGIN - 20, MARGIN - 20, w - 2 * (MARGIN - 20), h - 2 * (MARGIN - 20)).stroke();
  doc.lineWidth(1).rect(MARGIN - 14, MARGIN - 14, w - 2 * (MARGIN - 14), h - 2 * (MARGIN - 14)).stroke();

  const titleSize = 30;
  const titleLines = layout(doc, input.title, titleSize, w - 2 * MARGIN);
  let y = MARGIN + 30;
  for (const line of titleLines) {
    drawLine(doc, line, (w - lineWidth(line)) / 2, y, titleSize, RED);
    y += titleSize * 1.4;
  }
  y += 20;

  const nameX = MARGIN + 10;
  const nameW = 140;
  const valueX = nameX + nameW + 10;
  const valueW = w - MARGIN - 10 - valueX;
  const size = 12;
  const bottom = h - MARGIN - 90;
  doc.strokeColor('#999999').lineWidth(0.5);
  for (const f of input.fields) {
    if (y > bottom) break; // one page: what does not fit stays in the structured data
    const nameLines = layout(doc, f.name, size, nameW);
    let rowH: number;
    let picture: Buffer | undefined;
    if (f.valueType === 'picture' && f.value) {
      picture = Buffer.from(f.value, 'base64');
      rowH = 110;
    } else {
      rowH = Math.max(nameLines.length, layout(doc, f.value, size, valueW).length) * size * 1.5 + 10;
    }
    rowH = Math.min(rowH, bottom - y + 40);
    nameLines.forEach((line, i) => drawLine(doc, line, nameX, y + 6 + i * size * 1.5, size, '#555555'));
    if (picture) {
      try {
        doc.image(picture, valueX, y + 5, { fit: [valueW, rowH - 10] });
      } catch {
        drawLine(doc, layout(doc, '（图片无法显示）', size, valueW)[0]!, valueX, y + 6, size, '#999999');
      }
    } else {
      layout(doc, f.value, size, valueW).forEach((line, i) => drawLine(doc, line, valueX, y + 6 + i * size * 1.5, size, '#000000'));
    }
    y += rowH;
    doc.moveTo(nameX, y).lineTo(w - MARGIN - 10, y).stroke();
  }

  let fy = h - MARGIN - 70;
  for (const text of input.footer ?? []) {
    const line = layout(doc, text, 13, w / 2)[0];
    if (line) drawLine(doc, line, w - MARGIN - 20 - lineWidth(line), fy, 13, '#000000');
    fy += 22;
  }
  drawLine(doc, layout(doc, m.certificateId, 7, w - 2 * MARGIN)[0]!, MARGIN, h - MARGIN - 8, 7, '#777777');

  doc.end();
  await done;
  return Buffer.concat(chunks);
}

/** Splits text into font runs and wraps it to the width; returns lines of runs. */
function layout(doc: PDFKit.PDFDocument, text: string, size: number, maxWidth: number): Line[] {
  const lines: Line[] = [[]];
  let width = 0;
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    if (ch === '\n') { lines.push([]); width = 0; continue; }
    const font = isLatin(ch) ? LATIN : CJK;
    const cw = doc.font(font).fontSize(size).widthOfString(ch);
    if (width + cw > maxWidth && width > 0) { lines.push([]); width = 0; }
    const line = lines[lines.length - 1]!;
    const last = line[line.length - 1];
    if (last && last.font === font) { last.text += ch; last.width += cw; } else line.push({ font, text: ch, width: cw });
    width += cw;
  }
  return lines;
}

function lineWidth(line: Line): number {
  return line.reduce((s, r) => s + r.width, 0);
}

/** Draws runs on one shared baseline (y is the top of the line): the two fonts' ascents differ. */
function drawLine(doc: PDFKit.PDFDocument, line: Line, x: number, y: number, size: number, color: string): void {
  let cx = x;
  for (const run of line) {
    doc.font(run.font).fontSize(size).fillColor(color).text(run.text, cx, y + size * 0.88, { lineBreak: false, baseline: 'alphabetic' });
    cx += run.width;
  }
}

/** Printable ASCII and Latin-1 go to Helvetica (WinAnsi); everything else to the CJK font. */
function isLatin(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff);
}
