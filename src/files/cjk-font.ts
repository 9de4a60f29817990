import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The CJK font of layout files: Source Han Sans CN (SIL Open Font Licence) as shipped, in one WOFF2
 * file, by the npm package @librescore/fonts, so `npm ci` brings it on any machine. That cut keeps the
 * CJK ideographs and punctuation (about 22,900 glyphs) and drops Latin, which the renderer sets in
 * a standard PDF font instead.
 */
let cached: Buffer | undefined;

export function cjkFontBytes(): Buffer {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const dir = require.resolve('@librescore/fonts/package.json').replace(/package\.json$/, '');
    cached = readFileSync(`${dir}SourceHanSansCN.min.woff2`);
  }
  return cached;
}
