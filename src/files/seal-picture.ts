import { Resvg } from '@resvg/resvg-js';
import * as fontkit from 'fontkit';
import { cjkFontBytes } from './cjk-font.js';

/** Diameter of the seal picture: the common size of an organisation's round official seal. */
export const SEAL_SIZE_MM = 42;

const RED = '#d4161c';
/** Drawing units: 0.1 mm, so the SVG reads in millimetres × 10. */
const SIZE = SEAL_SIZE_MM * 10;
const C = SIZE / 2;
/** Pixels of the PNG: 300 dpi at 42 mm, enough for print and for any screen zoom. */
const PIXELS = Math.round((SEAL_SIZE_MM / 25.4) * 300);

type Font = { unitsPerEm: number; glyphForCodePoint(cp: number): { advanceWidth: number; path: { toSVG(): string } }; hasGlyphForCodePoint(cp: number): boolean };
let font: Font | undefined;
const cjk = () => (font ??= fontkit.create(cjkFontBytes()) as unknown as Font);

/**
 * The picture of an organisation's electronic seal (PNG, transparent background): a red ring, the
 * organisation's name along the upper arc with each character upright towards the rim, and a
 * five-pointed star in the middle, like a Chinese official seal.
 *
 * The characters are drawn as outlines taken from the CJK font with fontkit, not as SVG text: the
 * renderer then needs no font files on disk (resvg-js in Node loads fonts only from paths) and each
 * glyph is placed and squeezed exactly where the arc wants it.
 */
export function sealPicturePng(orgName: string): Buffer {
  return Buffer.from(new Resvg(sealPictureSvg(orgName), { fitTo: { mode: 'width', value: PIXELS }, font: { loadSystemFonts: false } }).render().asPng());
}

export function sealPictureSvg(orgName: string): string {
  const chars = [...orgName.trim()].filter((ch) => cjk().hasGlyphForCodePoint(ch.codePointAt(0)!));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">`
    + `<circle cx="${C}" cy="${C}" r="${C - 10}" fill="none" stroke="${RED}" stroke-width="12"/>`
    + `<path d="${star(C, C, 68)}" fill="${RED}"/>`
    + arcText(chars)
    + '</svg>';
}

/** A five-pointed star with one point up; inner radius from the golden ratio, as the regular star has. */
function star(cx: number, cy: number, r: number): string {
  const inner = r * 0.381966;
  const points = Array.from({ length: 10 }, (_, i) => {
    const radius = i % 2 === 0 ? r : inner;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    return `${(cx + radius * Math.cos(a)).toFixed(2)} ${(cy + radius * Math.sin(a)).toFixed(2)}`;
  });
  return `M${points.join('L')}Z`;
}

/**
 * The name on the upper arc, left to right, over at most 250 degrees. A long name gets narrower
 * characters (as seal engravers condense them), and past that a smaller size.
 */
function arcText(chars: string[]): string {
  const n = chars.length;
  if (n === 0) return '';
  const radius = 150; // centre line of the characters, inside the ring
  const span = Math.min(250, 26 * (n - 1));
  const step = n > 1 ? span / (n - 1) : 0;
  const arcPerChar = n > 1 ? (radius * step * Math.PI) / 180 : 80;
  const size = Math.min(72, Math.max(40, arcPerChar * 1.4));
  const squeeze = Math.min(0.9, (0.92 * arcPerChar) / size);
  const f = cjk();
  const k = size / f.unitsPerEm;
  // CJK glyphs sit in an em box from -0.12 to 0.88 em: its middle goes on the centre line.
  const middle = 0.38 * f.unitsPerEm;
  return chars.map((ch, i) => {
    const g = f.glyphForCodePoint(ch.codePointAt(0)!);
    const angle = -span / 2 + i * step;
    const t = `translate(${C} ${C}) rotate(${angle.toFixed(3)}) translate(0 ${-radius}) scale(${(k * squeeze).toFixed(5)} ${(-k).toFixed(5)}) translate(${(-g.advanceWidth / 2).toFixed(1)} ${-middle})`;
    return `<path transform="${t}" d="${g.path.toSVG()}" fill="${RED}"/>`;
  }).join('');
}
