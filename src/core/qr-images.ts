import QRCode from 'qrcode';
import { Resvg } from '@resvg/resvg-js';
import { gridMatrix, gridMatrixMissing } from './grid-matrix.js';

/**
 * The two-dimensional symbologies an encrypted certificate ID may be asked in (DB51/T 2942 6.4.4:
 * "支持GM和QR两种二维码标准"): QR Code (GB/T 18284, ISO/IEC 18004) and Grid Matrix (GM, GB/T 27766).
 */
export type Symbology = 'qr' | 'gm';

/** A symbology this node cannot draw (Grid Matrix without libzint): the message names what is missing. */
export class UnsupportedSymbology extends Error {
  constructor(readonly symbology: Symbology, why = `symbology ${symbology} is not supported`) {
    super(why);
  }
}

/** Why a symbology cannot be drawn on this node, or undefined when it can. */
export function symbologyMissing(symbology: Symbology): string | undefined {
  return symbology === 'gm' ? gridMatrixMissing() : undefined;
}

const SCALE = 6;
/** Light modules around a GM symbol: one macromodule (6 modules), ample for GB/T 27766's quiet zone. */
const GM_QUIET = 6;

/**
 * A PNG of the text, 6 pixels a module. QR at error correction level M with the standard
 * four-module quiet zone, which phone cameras and zbarimg read without trouble. Grid Matrix is
 * encoded by libzint (zint's defaults: smallest version, recommended error correction) and drawn
 * here the same way, module for module; without libzint it is refused with UnsupportedSymbology.
 */
export async function codeImage(text: string, symbology: Symbology): Promise<Buffer> {
  if (symbology === 'qr') return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: SCALE });
  const missing = symbologyMissing(symbology);
  if (missing) throw new UnsupportedSymbology(symbology, missing);
  return modulesPng(gridMatrix(text), GM_QUIET);
}

/** Dark modules as one SVG path, rendered to PNG by resvg (crisp edges, no anti-aliasing between modules). */
function modulesPng(s: { rows: number; width: number; modules: Buffer }, quiet: number): Buffer {
  let d = '';
  for (let y = 0; y < s.rows; y++) {
    for (let x = 0; x < s.width; x++) if (s.modules[y * s.width + x]) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  }
  const w = s.width + 2 * quiet, h = s.rows + 2 * quiet;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w * SCALE}" height="${h * SCALE}" viewBox="0 0 ${w} ${h}" shape-rendering="crispEdges">` +
    `<rect width="${w}" height="${h}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
  return Buffer.from(new Resvg(svg).render().asPng());
}
