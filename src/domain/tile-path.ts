/**
 * Paths of C2SP tlog-tiles hash tiles, `<L>/<N>[.p/<W>]` under `tile/`: level L (0-5) holds the
 * hashes of tree level 8·L; N is written in 3-digit elements, all but the last prefixed with `x`
 * (1234067 → x001/x234/067); a partial tile names its width W (1-255). Entry tiles (`tile/entries/…`)
 * are not public here: leaf data is for auditors.
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;

export interface TileId { level: number; index: number; width: number }

export function parseTilePath(path: string): TileId | undefined {
  const m = /^([0-5])\/((?:x\d{3}\/)*)(\d{3})(?:\.p\/([1-9]\d{0,2}))?$/.exec(path);
  if (!m) return undefined;
  const index = Number(`${m[2]!.replace(/[x/]/g, '')}${m[3]}`);
  const width = m[4] === undefined ? TILE_WIDTH : Number(m[4]);
  if (width >= TILE_WIDTH && m[4] !== undefined) return undefined;
  // No leading x000 elements: one index, one path.
  if (m[2]!.startsWith('x000/')) return undefined;
  if (!Number.isSafeInteger(index)) return undefined;
  return { level: Number(m[1]), index, width };
}

export function tilePath(t: TileId): string {
  const digits = String(t.index).padStart(3 * Math.ceil(Math.max(1, String(t.index).length) / 3), '0');
  const parts = digits.match(/\d{3}/g)!;
  return `${t.level}/${parts.map((p, i) => (i < parts.length - 1 ? `x${p}` : p)).join('/')}${t.width < TILE_WIDTH ? `.p/${t.width}` : ''}`;
}
