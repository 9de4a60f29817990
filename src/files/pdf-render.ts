import PDFDocument from 'pdfkit';
import { cjkFontBytes } from './cjk-font.js';
import type { LayoutAnnotation, LayoutInput } from '../core/layout-input.js';
import { drawQrCode } from './pdf-qr.js';

/** The renderer's input is the shared layout input; the alias keeps older imports working. */
export type PdfRenderInput = LayoutInput;
export type PdfField = LayoutInput['fields'][number];

export interface PdfRenderHooks {
  /**
   * Called with the finished page just before the document is closed: the signer adds its
   * signature field here, so the signature sits in the one and only revision of the file.
   */
  beforeEnd?: (doc: PDFKit.PDFDocument) => void;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;
const RED = '#a61b1b';
const ANNOTATION_RED = '#d40000';
const CJK = 'cjk';
const LATIN = 'Helvetica';

/**
 * The bottom band, shared by the QR code (left), the issuer lines (right) and the seal stamped over
 * them. Fields stop above it, so nothing there can cover a field. Sizes in points: the seal about
 * 39 mm, the QR code about 32 mm, which phones scan from paper and screen alike.
 */
const SEAL = 110;
const QR = 90;
const BAND_TOP = A4[1] - MARGIN - 160;

type Run = { font: string; text: string; width: number };
type Line = Run[];

/**
 * Renders a certificate's surface data as a one-page A4 PDF (电子证照版式文件): title, a two-column
 * table of fields, pictures, the issuer and date with the seal over them, the verification QR code,
 * and the certificate's metadata in the document information dictionary. An annotated copy
 * (加注件) also carries its annotation as a red line at the top, a diagonal watermark, and metadata.
 * The CJK font is embedded and subsetted; Latin runs use Helvetica because the embedded CJK cut has
 * no Latin glyphs.
 */
export async function renderCertificatePdf(input: LayoutInput, hooks: PdfRenderHooks = {}): Promise<Uint8Array> {
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
  Object.assign(doc.info, {
    ZZBS: m.certificateId, ZZLXDM: m.typeCode, ZZMC: m.typeName, CZZT: m.holderName, CZZTDM: m.holderCode,
    ZZBFJG: m.issuer, ZZBFJGDM: m.issuerCode, ZZBFRQ: m.issueDate,
  });
  if (input.seal) Object.assign(doc.info, { ZZQZMC: input.seal.name });
  if (input.annotation) Object.assign(doc.info, annotationInfo(input.annotation));
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
  const rowLimit = BAND_TOP - 10;
  doc.strokeColor('#999999').lineWidth(0.5);
  for (const f of input.fields) {
    if (y > rowLimit - 2 * size) break; // one page: what does not fit stays in the structured data
    const nameLines = layout(doc, f.name, size, nameW);
    let rowH: number;
    let picture: Buffer | undefined;
    if (f.valueType === 'picture' && f.value) {
      picture = Buffer.from(f.value, 'base64');
      rowH = 110;
    } else {
      rowH = Math.max(nameLines.length, layout(doc, f.value, size, valueW).length) * size * 1.5 + 10;
    }
    rowH = Math.min(rowH, rowLimit - y);
    const rowLines = Math.max(1, Math.floor((rowH - 6) / (size * 1.5)));
    nameLines.slice(0, rowLines).forEach((line, i) => drawLine(doc, line, nameX, y + 6 + i * size * 1.5, size, '#555555'));
    if (picture) {
      try {
        doc.image(picture, valueX, y + 5, { fit: [valueW, rowH - 10] });
      } catch {
        drawLine(doc, layout(doc, '（图片无法显示）', size, valueW)[0]!, valueX, y + 6, size, '#999999');
      }
    } else {
      layout(doc, f.value, size, valueW).slice(0, rowLines).forEach((line, i) => drawLine(doc, line, valueX, y + 6 + i * size * 1.5, size, '#000000'));
    }
    y += rowH;
    doc.moveTo(nameX, y).lineTo(w - MARGIN - 10, y).stroke();
  }

  drawFooter(doc, input);
  if (input.qrText) drawQrCode(doc, input.qrText, MARGIN, h - MARGIN - 10 - QR, QR);
  drawLine(doc, layout(doc, m.certificateId, 7, w - 2 * MARGIN - QR - 10)[0]!, MARGIN + QR + 10, h - MARGIN - 8, 7, '#777777');
  if (input.annotation) drawAnnotation(doc, input.annotation.text);

  hooks.beforeEnd?.(doc);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

/** GB/T 36903 names of an annotated copy's metadata. */
function annotationInfo(a: LayoutAnnotation): Record<string, string> {
  return { JZJZZSJ: a.madeAt, JZJZZZ: a.maker, JZJZZSY: a.reason, JZJYXQJZSJ: a.expiresAt };
}

/**
 * Issuer and date at the bottom right, vertically centred in the seal's square, and the seal stamped
 * over them as on paper; its transparent parts let the text show through.
 */
function drawFooter(doc: PDFKit.PDFDocument, input: LayoutInput): void {
  const [w] = A4;
  const size = 13;
  const step = 22;
  const right = w - MARGIN - 20;
  const lines = (input.footer ?? []).map((t) => layout(doc, t, size, w / 2 - MARGIN)[0]).filter((l): l is Line => !!l && l.length > 0);
  const sealY = BAND_TOP + 10;
  const blockH = lines.length ? (lines.length - 1) * step + size : 0;
  let fy = sealY + (SEAL - blockH) / 2;
  const widest = Math.max(0, ...lines.map(lineWidth));
  for (const line of lines) {
    drawLine(doc, line, right - lineWidth(line), fy, size, '#000000');
    fy += step;
  }
  if (!input.seal) return;
  const centreX = lines.length ? right - widest / 2 : right - SEAL / 2;
  const sealX = Math.min(centreX - SEAL / 2, w - MARGIN + 10 - SEAL); // inside the inner border
  try {
    doc.image(input.seal.picturePng, sealX, sealY, { fit: [SEAL, SEAL], align: 'center', valign: 'center' });
  } catch {
    // A broken seal picture must not stop the file; the signature, not the picture, is the proof.
  }
}

/**
 * The annotation twice: a red line in the top margin, readable and extractable as text, and a pale
 * diagonal watermark across the fields, so a crop or screenshot of them still shows the copy's
 * purpose. The watermark stays above the bottom band, where it would cross the QR code and seal.
 */
function drawAnnotation(doc: PDFKit.PDFDocument, text: string): void {
  const [w] = A4;
  const size = 10;
  const top = layout(doc, text, size, w - 2 * MARGIN)[0];
  if (top) drawLine(doc, top, (w - lineWidth(top)) / 2, MARGIN - 9, size, ANNOTATION_RED);

  const boxW = w - 2 * MARGIN;
  const boxH = BAND_TOP - 20 - MARGIN;
  const diagonal = Math.hypot(boxW, boxH);
  const natural = lineWidth(layout(doc, text, 10, Infinity)[0] ?? []);
  const wmSize = Math.max(12, Math.min(44, (diagonal * 0.8 * 10) / Math.max(natural, 1)));
  const line = layout(doc, text, wmSize, diagonal * 0.9)[0];
  if (!line) return;
  const [cx, cy] = [w / 2, MARGIN + boxH / 2];
  doc.save();
  doc.rotate((-Math.atan2(boxH, boxW) * 180) / Math.PI, { origin: [cx, cy] });
  drawLine(doc, line, cx - lineWidth(line) / 2, cy - wmSize / 2, wmSize, ANNOTATION_RED, 0.18);
  doc.restore();
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
function drawLine(doc: PDFKit.PDFDocument, line: Line, x: number, y: number, size: number, color: string, opacity = 1): void {
  let cx = x;
  for (const run of line) {
    doc.font(run.font).fontSize(size);
    if (opacity === 1) doc.fillColor(color); else doc.fillColor(color, opacity);
    doc.text(run.text, cx, y + size * 0.88, { lineBreak: false, baseline: 'alphabetic' });
    cx += run.width;
  }
}

/** Printable ASCII and Latin-1 go to Helvetica (WinAnsi); everything else to the CJK font. */
function isLatin(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff);
}
