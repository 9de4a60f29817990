import QRCode from 'qrcode';
import type { LayoutInput } from '../../core/layout-input.js';
import { box, el, num, part, text } from './xml.js';
import { imageInfo, type ImageInfo } from './image-size.js';
import { layoutText, lineWidth, type Line } from '../text-layout.js';

/**
 * The page of a certificate (Content.xml), laid out as the PDF renderer lays out its page: the same
 * A4 frame, title, two-column field table, pictures and footer, computed in points with the same
 * metrics and converted to millimetres, OFD's unit. Beyond the PDF it draws the QR code at the bottom
 * left and the annotation line of an annotated copy under the title, and places the seal over the
 * issuer line.
 *
 * The seal is not page content: it is the appearance of the signature (StampAnnot), which readers
 * draw from the SESeal inside SignedValue.dat, as GB/T 33190 intends. Drawing it in the content as
 * well stores the picture twice and, in ofd.js, shows two slightly offset seals.
 */

const PT = 25.4 / 72; // millimetres per point
const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;
const RED = '#a61b1b';
const SEAL_MM = 42;
const QR_PT = 72;

export interface PageImage { id: number; bytes: Buffer; format: ImageInfo['format'] }

export interface BuiltPage {
  content: Buffer;
  images: PageImage[];
  /** Every character drawn in the CJK font: what the embedded subset must hold. */
  cjkText: string;
  /** Where the seal shows, in millimetres (x, y, w, h): the StampAnnot's Boundary (present when input.seal is). */
  stampBoundary?: [number, number, number, number];
}

/** Unit IDs of one document: every object, resource and page has one, unique in the document. */
export class Ids {
  private n = 0;
  next(): number { return ++this.n; }
  get max(): number { return this.n; }
}

export const PAGE_MM = { width: 210, height: 297 } as const;

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(' ');

export async function buildPage(input: LayoutInput, ids: Ids, fonts: { cjk: number; latin: number }): Promise<BuiltPage> {
  const objects: string[] = [];
  const images: PageImage[] = [];
  let cjkText = '';

  const drawLine = (line: Line, x: number, y: number, size: number, color: string) => {
    let cx = x;
    for (const run of line) {
      if (run.font === 'cjk') cjkText += run.text;
      // DeltaX: the gaps between consecutive glyphs, so the reader's own metrics never move them.
      const deltaX = run.advances.slice(0, -1).map((a) => num(a * PT)).join(' ');
      objects.push(el('TextObject', { ID: ids.next(), Boundary: box(cx * PT, y * PT, (run.width + 2) * PT, size * 1.25 * PT), Font: run.font === 'cjk' ? fonts.cjk : fonts.latin, Size: num(size * PT) },
        el('FillColor', { Value: rgb(color) }),
        text('TextCode', run.text, { X: 0, Y: num(size * 0.88 * PT), DeltaX: deltaX || undefined })));
      cx += run.width;
    }
  };
  const image = (bytes: Buffer, info: ImageInfo, x: number, y: number, w: number, h: number) => {
    const id = ids.next();
    images.push({ id, bytes, format: info.format });
    objects.push(el('ImageObject', { ID: ids.next(), Boundary: box(x, y, w, h), CTM: `${num(w)} 0 0 ${num(h)} 0 0`, ResourceID: id }));
  };
  const stroke = (points: [number, number][], width: number, color: string, close = false) => {
    const xs = points.map((p) => p[0] * PT), ys = points.map((p) => p[1] * PT);
    const pad = width * PT;
    const x0 = Math.min(...xs) - pad, y0 = Math.min(...ys) - pad;
    const d = points.map((_, i) => `${i ? 'L' : 'M'} ${num(xs[i]! - x0)} ${num(ys[i]! - y0)}`).join(' ') + (close ? ' C' : '');
    objects.push(el('PathObject', { ID: ids.next(), Boundary: box(x0, y0, Math.max(...xs) - x0 + pad, Math.max(...ys) - y0 + pad), LineWidth: num(width * PT) },
      el('StrokeColor', { Value: rgb(color) }), text('AbbreviatedData', d)));
  };
  const rect = (x: number, y: number, w: number, h: number, width: number, color: string) =>
    stroke([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], width, color, true);

  const [w, h] = A4;
  rect(MARGIN - 20, MARGIN - 20, w - 2 * (MARGIN - 20), h - 2 * (MARGIN - 20), 3, RED);
  rect(MARGIN - 14, MARGIN - 14, w - 2 * (MARGIN - 14), h - 2 * (MARGIN - 14), 1, RED);

  const titleSize = 30;
  let y = MARGIN + 30;
  for (const line of layoutText(input.title, titleSize, w - 2 * MARGIN)) {
    drawLine(line, (w - lineWidth(line)) / 2, y, titleSize, RED);
    y += titleSize * 1.4;
  }
  y += 20;
  if (input.annotation) {
    for (const line of layoutText(input.annotation.text, 12, w - 2 * MARGIN).slice(0, 2)) {
      drawLine(line, (w - lineWidth(line)) / 2, y - 12, 12, RED);
      y += 18;
    }
    y += 4;
  }

  const nameX = MARGIN + 10;
  const nameW = 140;
  const valueX = nameX + nameW + 10;
  const valueW = w - MARGIN - 10 - valueX;
  const size = 12;
  const bottom = h - MARGIN - 90;
  for (const f of input.fields) {
    if (y > bottom) break; // one page: what does not fit stays in the structured data
    const nameLines = layoutText(f.name, size, nameW);
    let rowH: number;
    let picture: { bytes: Buffer; info: ImageInfo | undefined } | undefined;
    if (f.valueType === 'picture' && f.value) {
      const bytes = Buffer.from(f.value, 'base64');
      picture = { bytes, info: imageInfo(bytes) };
      rowH = 110;
    } else {
      rowH = Math.max(nameLines.length, layoutText(f.value, size, valueW).length) * size * 1.5 + 10;
    }
    rowH = Math.min(rowH, bottom - y + 40);
    nameLines.forEach((line, i) => drawLine(line, nameX, y + 6 + i * size * 1.5, size, '#555555'));
    if (picture?.info) {
      // Fit inside the cell keeping the aspect ratio, anchored top-left, as pdfkit's `fit` does.
      const scale = Math.min(valueW / picture.info.width, (rowH - 10) / picture.info.height);
      image(picture.bytes, picture.info, valueX * PT, (y + 5) * PT, picture.info.width * scale * PT, picture.info.height * scale * PT);
    } else if (picture) {
      drawLine(layoutText('（图片无法显示）', size, valueW)[0]!, valueX, y + 6, size, '#999999');
    } else {
      layoutText(f.value, size, valueW).forEach((line, i) => drawLine(line, valueX, y + 6 + i * size * 1.5, size, '#000000'));
    }
    y += rowH;
    stroke([[nameX, y], [w - MARGIN - 10, y]], 0.5, '#999999');
  }

  const footerTop = h - MARGIN - 70;
  let fy = footerTop;
  let issuerCentre: number | undefined;
  for (const t of input.footer ?? []) {
    const line = layoutText(t, 13, w / 2)[0];
    if (line) {
      const x = w - MARGIN - 20 - lineWidth(line);
      issuerCentre ??= x + lineWidth(line) / 2;
      drawLine(line, x, fy, 13, '#000000');
    }
    fy += 22;
  }
  drawLine(layoutText(input.metadata.certificateId, 7, w - 2 * MARGIN)[0]!, MARGIN, h - MARGIN - 8, 7, '#777777');

  if (input.qrText) {
    const png = await QRCode.toBuffer(input.qrText, { type: 'png', errorCorrectionLevel: 'M', margin: 1, scale: 8 });
    image(png, imageInfo(png)!, (MARGIN + 10) * PT, (h - MARGIN - 84) * PT, QR_PT * PT, QR_PT * PT);
  }

  let stampBoundary: BuiltPage['stampBoundary'];
  if (input.seal) {
    // Over the issuer line, as a seal is stamped on paper: centred on the first footer line.
    const cx = (issuerCentre ?? w - MARGIN - 80) * PT;
    const cy = (footerTop + 6.5) * PT;
    stampBoundary = [cx - SEAL_MM / 2, cy - SEAL_MM / 2, SEAL_MM, SEAL_MM];
  }

  const content = part('Page', {},
    el('Area', {}, text('PhysicalBox', `0 0 ${PAGE_MM.width} ${PAGE_MM.height}`)),
    el('Content', {}, el('Layer', { ID: ids.next(), Type: 'Body' }, ...objects)));
  return { content, images, cjkText, stampBoundary };
}
