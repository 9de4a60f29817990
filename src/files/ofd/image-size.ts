/**
 * Pixel size and format of a PNG or JPEG, read from its header: the page layout needs the aspect
 * ratio to fit a picture, and the package needs to know what it stores. Undefined for anything else.
 */
export interface ImageInfo { format: 'PNG' | 'JPEG'; width: number; height: number }

export function imageInfo(b: Buffer): ImageInfo | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') {
    const width = b.readUInt32BE(16);
    const height = b.readUInt32BE(20);
    return width > 0 && height > 0 ? { format: 'PNG', width, height } : undefined;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let at = 2;
    while (at + 9 < b.length) {
      if (b[at] !== 0xff) return undefined;
      const marker = b[at + 1]!;
      if (marker === 0xff) { at++; continue; } // fill byte
      const len = b.readUInt16BE(at + 2);
      // SOF0-SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        const height = b.readUInt16BE(at + 5);
        const width = b.readUInt16BE(at + 7);
        return width > 0 && height > 0 ? { format: 'JPEG', width, height } : undefined;
      }
      at += 2 + len;
    }
  }
  return undefined;
}
