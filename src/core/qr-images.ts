import QRCode from 'qrcode';

/**
 * The two-dimensional symbologies an encrypted certificate ID may be asked in (DB51/T 2942 6.4.4:
 * "支持GM和QR两种二维码标准"): QR Code (GB/T 18284, ISO/IEC 18004) and Grid Matrix (GM, GB/T 27766).
 */
export type Symbology = 'qr' | 'gm';

/** A symbology this node cannot draw. */
export class UnsupportedSymbology extends Error {
  constructor(readonly symbology: Symbology) {
    super(symbology === 'gm'
      ? 'Grid Matrix (GM, GB/T 27766) is not supported: no maintained JavaScript encoder exists; ask for QR'
      : `symbology ${symbology} is not supported`);
  }
}

/**
 * A PNG of the text. QR at error correction level M with the standard four-module quiet zone and
 * 6 pixels a module, which phone cameras and zbarimg read without trouble. Grid Matrix is refused
 * with UnsupportedSymbology: only zint (C) and okapibarcode (Java) implement it.
 */
export async function codeImage(text: string, symbology: Symbology): Promise<Buffer> {
  if (symbology !== 'qr') throw new UnsupportedSymbology(symbology);
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
}
