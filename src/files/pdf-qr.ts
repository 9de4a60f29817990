import QRCode from 'qrcode';

/**
 * Draws a QR code as vector rectangles, so it stays sharp at any zoom and print resolution and adds
 * no image to the file. Error correction M: a printed certificate may be folded or stamped on, and M
 * keeps a verification URL at a size that still scans from a phone screen.
 *
 * The page behind is white, so the quiet zone is simply space the caller leaves free around `size`.
 */
export function drawQrCode(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const cell = size / n;
  doc.save().fillColor('#000000');
  for (let row = 0; row < n; row++) {
    // One rectangle per run of dark modules in a row: fewer operators, and no hairline seams
    // between neighbouring cells when a viewer anti-aliases.
    let col = 0;
    while (col < n) {
      if (!modules.get(row, col)) { col++; continue; }
      const start = col;
      while (col < n && modules.get(row, col)) col++;
      doc.rect(x + start * cell, y + row * cell, (col - start) * cell, cell);
    }
  }
  doc.fill().restore();
}
