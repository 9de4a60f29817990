import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Grid Matrix (GM, GB/T 27766) symbols, encoded by Debian's libzint through the addon in
 * native/zint (built at install where libzint-dev is present). No maintained JavaScript encoder
 * exists; without the addon a GM request is answered "not provided", naming the missing library.
 */
export const ZINT_ADDON_PATH = fileURLToPath(new URL('../../native/zint/build/Release/zz_zint.node', import.meta.url));

export interface GmSymbol {
  rows: number;
  width: number;
  /** rows × width bytes, row by row: 1 dark, 0 light. */
  modules: Buffer;
}

interface ZintAddon { gridMatrix(data: Buffer, eccLevel: number, version: number): GmSymbol }

let addon: ZintAddon | string | undefined;
/** The addon, or why it cannot be had. */
function load(): ZintAddon | string {
  if (addon === undefined) {
    try {
      addon = createRequire(import.meta.url)(ZINT_ADDON_PATH) as ZintAddon;
    } catch (err) {
      const missing = /libzint/.test(String(err)) ? 'libzint (Debian: apt-get install libzint2.9 or libzint-dev)' : 'the libzint addon (native/zint; Debian: apt-get install libzint-dev, then npm ci)';
      addon = `Grid Matrix (GM, GB/T 27766) needs ${missing}`;
    }
  }
  return addon;
}

/** Why Grid Matrix cannot be drawn here, or undefined when it can. */
export function gridMatrixMissing(): string | undefined {
  const a = load();
  return typeof a === 'string' ? a : undefined;
}

/**
 * The GM symbol of a text (UTF-8), at zint's defaults: the smallest version that holds it and the
 * error correction level the standard recommends for it. Throws when the addon is missing (see
 * gridMatrixMissing) or the text does not fit (zint's message).
 */
export function gridMatrix(text: string): GmSymbol {
  const a = load();
  if (typeof a === 'string') throw new Error(a);
  return a.gridMatrix(Buffer.from(text, 'utf8'), 0, 0);
}
