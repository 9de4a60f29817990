import { spawnSync } from 'node:child_process';
import { decodePng } from './png.js';

/** The module rows `zint -b GRIDMATRIX --dump` prints for a value (its defaults), as strings of 0 and 1. */
export function zintDump(value: string): string[] {
  const r = spawnSync('zint', ['-b', 'GRIDMATRIX', '--dump', '-d', value], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`zint: ${r.stderr}`);
  const rows = r.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/).map((h) => parseInt(h, 16).toString(2).padStart(4 * h.length, '0')).join(''));
  // --dump prints hex digits (a last one may be a single nibble) padded to whole digits; GM symbols are square.
  return rows.map((row) => row.slice(0, rows.length));
}

/** The dark and light modules of a symbol drawn `scale` pixels a module with a light quiet zone around it. */
export function pngModules(png: Buffer, scale: number): string[] {
  const img = decodePng(png);
  const dark = (x: number, y: number) => img.pixel(x, y).slice(0, 3).every((c) => c < 128);
  let top = -1, left = img.width;
  for (let y = 0; y < img.height && top < 0; y++) for (let x = 0; x < img.width; x++) if (dark(x, y)) { top = y; break; }
  for (let y = 0; y < img.height; y++) for (let x = 0; x < left; x++) if (dark(x, y)) { left = x; break; }
  let bottom = 0, right = 0;
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) if (dark(x, y)) { bottom = Math.max(bottom, y); right = Math.max(right, x); }
  const n = Math.round((right - left + 1) / scale);
  if (top < scale || left < scale || img.width - right <= scale) throw new Error('no quiet zone around the symbol');
  return Array.from({ length: Math.round((bottom - top + 1) / scale) }, (_, r) =>
    Array.from({ length: n }, (_, c) => (dark(left + c * scale + scale / 2, top + r * scale + scale / 2) ? '1' : '0')).join(''));
}
