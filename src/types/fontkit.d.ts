/** fontkit ships no types; the font renderer only reads a WOFF2 file's table directory through it. */
declare module 'fontkit' {
  export function create(buffer: Uint8Array, postscriptName?: string): unknown;
}
