import { cjkFont, type PathCommand } from './text-layout.js';

/**
 * Glyph outlines of the CJK font, for text an annotated copy adds (its purpose is free text, CJK
 * included): drawn as vector paths, the copy needs no font subset made and embedded per copy.
 * Outlines are in font units (y up), rounded to whole units, and cached per code point: a copy's
 * statement reuses a few dozen common characters, so after warm-up a copy costs no font work.
 */
export interface GlyphOutline {
  /** Advance width in font units. */
  advance: number;
  /** The outline as absolute segments: M x y | L x y | C x1 y1 x2 y2 x y | Z. */
  segments: (['M' | 'L', number, number] | ['C', number, number, number, number, number, number] | ['Z'])[];
}

/** Enough for every glyph a busy node meets; the font has about 23,000. */
const MAX_CACHED = 8000;
const cache = new Map<number, GlyphOutline>();

export function unitsPerEm(): number {
  return cjkFont().unitsPerEm;
}

export function glyphOutline(codePoint: number): GlyphOutline {
  let g = cache.get(codePoint);
  if (!g) {
    const glyph = cjkFont().glyphForCodePoint(codePoint);
    g = { advance: glyph.advanceWidth, segments: toSegments(glyph.path.commands) };
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(codePoint, g);
  }
  return g;
}

/** fontkit's commands as absolute moves, lines and cubic curves (quadratics raised to cubics). */
function toSegments(commands: PathCommand[]): GlyphOutline['segments'] {
  const out: GlyphOutline['segments'] = [];
  const r = Math.round;
  let x = 0;
  let y = 0;
  for (const { command, args: a } of commands) {
    switch (command) {
      case 'moveTo': case 'lineTo':
        [x, y] = [a[0]!, a[1]!];
        out.push([command === 'moveTo' ? 'M' : 'L', r(x), r(y)]);
        break;
      case 'quadraticCurveTo': {
        const [qx, qy, ex, ey] = a as [number, number, number, number];
        out.push(['C', r(x + (2 / 3) * (qx - x)), r(y + (2 / 3) * (qy - y)), r(ex + (2 / 3) * (qx - ex)), r(ey + (2 / 3) * (qy - ey)), r(ex), r(ey)]);
        [x, y] = [ex, ey];
        break;
      }
      case 'bezierCurveTo':
        out.push(['C', r(a[0]!), r(a[1]!), r(a[2]!), r(a[3]!), r(a[4]!), r(a[5]!)]);
        [x, y] = [a[4]!, a[5]!];
        break;
      case 'closePath':
        out.push(['Z']);
        break;
    }
  }
  return out;
}

/** Control characters draw nothing and have no place in a statement; line breaks become spaces. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
}
