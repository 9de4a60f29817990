import { layoutText, lineWidth, type Line } from './text-layout.js';
import { printable } from './glyph-outlines.js';

/**
 * Where an annotated copy's statement goes on the A4 page, in points from the top left (the
 * renderers' coordinates), for both formats: a red line in the top margin, and a pale diagonal
 * watermark across the fields, so a crop or screenshot of them still shows the copy's purpose. The
 * watermark stays above the bottom band of QR code, issuer and seal.
 */
export const PAGE_PT = { width: 595.28, height: 841.89 } as const;
const MARGIN = 48;
const BAND_TOP = PAGE_PT.height - MARGIN - 160;
export const ANNOTATION_RED = '#d40000';
export const WATERMARK_OPACITY = 0.18;

export interface PlacedLine {
  line: Line;
  size: number;
  /** Start of the line's baseline. */
  x: number;
  y: number;
}

export interface CopyLayout {
  top?: PlacedLine;
  /** Laid out from (0, 0) about the centre, then turned by `angle` (radians, anticlockwise as seen) about it. */
  watermark?: PlacedLine & { centre: [number, number]; angle: number };
}

export function copyLayout(statement: string): CopyLayout {
  const text = printable(statement);
  const [w] = [PAGE_PT.width];
  const out: CopyLayout = {};
  const size = 10;
  const top = layoutText(text, size, w - 2 * MARGIN)[0];
  if (top?.length) out.top = { line: top, size, x: (w - lineWidth(top)) / 2, y: MARGIN - 9 + size * 0.88 };

  const boxW = w - 2 * MARGIN;
  const boxH = BAND_TOP - 20 - MARGIN;
  const diagonal = Math.hypot(boxW, boxH);
  const natural = lineWidth(layoutText(text, 10, Infinity)[0] ?? []);
  const wmSize = Math.max(12, Math.min(44, (diagonal * 0.8 * 10) / Math.max(natural, 1)));
  const line = layoutText(text, wmSize, diagonal * 0.9)[0];
  if (line?.length) {
    out.watermark = { line, size: wmSize, x: -lineWidth(line) / 2, y: wmSize * 0.38, centre: [w / 2, MARGIN + boxH / 2], angle: Math.atan2(boxH, boxW) };
  }
  return out;
}
