// The Chinese font of the web apps, bundled so no page needs a font from outside the node (nor a
// CJK font installed on the viewer's machine): Source Han Sans CN (SIL OFL, from @librescore/fonts,
// the same cut the layout files embed) subset to the characters of GB 2312 (the 6,763 hanzi of
// levels 1 and 2, which cover names and organisations almost always), CJK and full-width
// punctuation, and every character the app's own sources use. Browsers fetch it only when a page
// shows a character the viewer's own fonts lack.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import subsetFont from 'subset-font';

const require = createRequire(import.meta.url);

/** GB 2312 levels 1 and 2 (rows 16-87), decoded from their byte pairs. */
function gb2312Hanzi() {
  const bytes = [];
  for (let hi = 0xb0; hi <= 0xf7; hi++) for (let lo = 0xa1; lo <= 0xfe; lo++) bytes.push(hi, lo);
  return iconv.decode(Buffer.from(bytes), 'gb2312').replace(/[\ufffd\s]/g, '');
}

function sourceText(dir) {
  let out = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out += sourceText(path);
    else if (/\.(vue|ts|html|css)$/.test(name)) out += readFileSync(path, 'utf8');
  }
  return out;
}

const PUNCTUATION = Array.from({ length: 0x40 }, (_, i) => String.fromCodePoint(0x3000 + i)).join('')
  + Array.from({ length: 0x5f }, (_, i) => String.fromCodePoint(0xff01 + i)).join('') + '·—…‘’“”';

/**
 * The subset WOFF2 for an app whose sources are in srcDir, made in cacheDir under a name that is the
 * hash of its characters (subsetting takes seconds; a rebuild with the same text reuses the file).
 * Answers the file's path.
 */
export async function buildCjkFont(srcDir, cacheDir) {
  const own = [...sourceText(srcDir)].filter((c) => /[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/u.test(c)).join('');
  const text = [...new Set(gb2312Hanzi() + PUNCTUATION + own)].sort().join('');
  const out = join(cacheDir, `cjk-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.woff2`);
  if (existsSync(out)) return out;
  const dir = require.resolve('@librescore/fonts/package.json').replace(/package\.json$/, '');
  const font = await subsetFont(readFileSync(join(dir, 'SourceHanSansCN.min.woff2')), text, { targetFormat: 'woff2' });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(out, font);
  return out;
}

/** The unicode-range of the face: CJK only, so Latin text keeps the viewer's own font. */
export const CJK_UNICODE_RANGE = 'U+2E80-9FFF, U+F900-FAFF, U+FF00-FFEF, U+00B7, U+2014, U+2026, U+2018-2019, U+201C-201D';
