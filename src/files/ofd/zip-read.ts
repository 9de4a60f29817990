import * as zlib from 'node:zlib';
import { inflateRawSync } from 'node:zlib';

const zlibCrc32 = (zlib as unknown as { crc32?: (b: Uint8Array) => number }).crc32;

/**
 * Reads a ZIP package from untrusted bytes with hard limits, for the OFD verifier. Written here
 * rather than taken from a library because every limit matters: entry count, sizes, the inflated
 * size checked against the declared one while inflating (zlib's maxOutputLength), CRC-32, local and
 * central names agreeing, no encryption, no ZIP64, no path tricks. It never throws: it returns the
 * entries or the reason it refused, naming the entry at fault.
 */
export const ZIP_LIMITS = {
  /** A certificate OFD has a dozen parts. */
  entries: 1000,
  entryBytes: 32 * 1024 * 1024,
  totalBytes: 128 * 1024 * 1024,
  /** Deflate reaches about 1:1000 on degenerate input; real parts stay far below. */
  ratio: 1100,
};

/**
 * `damaged` holds entries whose bytes are wrong (do not inflate, wrong size, wrong CRC): the package
 * is still read, so a verifier can say which part was altered rather than only that the ZIP is bad.
 */
export type ZipRead = { ok: true; entries: Map<string, Buffer>; damaged: Map<string, string> } | { ok: false; problem: string };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

let crcTable: Int32Array | undefined;
/** CRC-32 as ZIP uses it: zlib's own where Node has it (20.15 and later), else a table here. */
export const crc32: (b: Uint8Array) => number = typeof zlibCrc32 === 'function' ? (b) => zlibCrc32(b) : crc32Js;
function crc32Js(b: Uint8Array): number {
  crcTable ??= Int32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  let c = -1;
  for (let i = 0; i < b.length; i++) c = crcTable[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

export function readZip(zip: Buffer): ZipRead {
  try {
    return read(zip);
  } catch (err) {
    return { ok: false, problem: `not a readable ZIP package (${(err as Error).message})` };
  }
}

/** One entry as the package holds it: its bytes still compressed, and what the directory declares. */
export interface RawEntry {
  name: string;
  /** The name's bytes and flags as written, so a copy of the entry writes them again unchanged. */
  nameBytes: Buffer;
  flags: number;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  rawSize: number;
  /** The entry's data as stored in the package (a view into it, not a copy). */
  data: Buffer;
}

export type ZipList = { ok: true; entries: RawEntry[] } | { ok: false; problem: string };

/**
 * The package's entries without inflating any: every structural limit readZip applies, so a caller
 * that copies most entries as they are (the OFD annotated copy) and inflates only the few it
 * changes gets the same guarantees. Never throws.
 */
export function listZip(zip: Buffer): ZipList {
  try {
    return list(zip);
  } catch (err) {
    return { ok: false, problem: `not a readable ZIP package (${(err as Error).message})` };
  }
}

function list(zip: Buffer): ZipList {
  // The end record sits in the last 22 bytes plus at most a 64 KiB comment.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) return { ok: false, problem: 'not a ZIP package (no end of central directory)' };
  const count = zip.readUInt16LE(eocd + 10);
  const cdSize = zip.readUInt32LE(eocd + 12);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) return { ok: false, problem: 'ZIP64 packages are not accepted' };
  if (zip.readUInt16LE(eocd + 4) !== 0 || zip.readUInt16LE(eocd + 8) !== count) return { ok: false, problem: 'multi-disk ZIP packages are not accepted' };
  if (count > ZIP_LIMITS.entries) return { ok: false, problem: `too many entries (${count} > ${ZIP_LIMITS.entries})` };
  if (cdOffset + cdSize > eocd) return { ok: false, problem: 'the central directory lies outside the package' };

  const entries: RawEntry[] = [];
  const names = new Set<string>();
  let total = 0;
  let at = cdOffset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > eocd || zip.readUInt32LE(at) !== CENTRAL) return { ok: false, problem: `central directory entry ${n} is damaged` };
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 20);
    const rawSize = zip.readUInt32LE(at + 24);
    const nameLen = zip.readUInt16LE(at + 28);
    const next = at + 46 + nameLen + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const nameBytes = zip.subarray(at + 46, at + 46 + nameLen);
    const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
    at = next;

    if (name.endsWith('/')) continue; // a directory entry holds nothing
    const bad = (why: string): ZipList => ({ ok: false, problem: `entry ${name}: ${why}` });
    if (!name || name.startsWith('/') || name.includes('\\') || name.split('/').some((s) => s === '..' || s === '.' || s === '')) return bad('unsafe name');
    if (names.has(name)) return bad('appears twice');
    names.add(name);
    if (flags & 0x1) return bad('encrypted');
    if (method !== 0 && method !== 8) return bad(`compression method ${method} is not accepted`);
    if (rawSize > ZIP_LIMITS.entryBytes) return bad(`too large (${rawSize} bytes)`);
    if (method === 8 && rawSize > Math.max(size, 1) * ZIP_LIMITS.ratio) return bad('compression ratio too high');
    total += rawSize;
    if (total > ZIP_LIMITS.totalBytes) return { ok: false, problem: `the package inflates to more than ${ZIP_LIMITS.totalBytes} bytes` };

    if (local + 30 > zip.length || zip.readUInt32LE(local) !== LOCAL) return bad('local header missing');
    const localNameLen = zip.readUInt16LE(local + 26);
    // A local name that differs from the central one would let two readers see two packages.
    if (!zip.subarray(local + 30, local + 30 + localNameLen).equals(nameBytes)) return bad('local and central names differ');
    const start = local + 30 + localNameLen + zip.readUInt16LE(local + 28);
    if (start + size > zip.length) return bad('data runs past the end of the package');
    entries.push({ name, nameBytes, flags, method, crc, rawSize, data: zip.subarray(start, start + size) });
  }
  return { ok: true, entries };
}

/** An entry's bytes, inflated and checked against its declared size and CRC-32, or why they cannot be had. */
export function entryBytes(e: RawEntry): Buffer | string {
  const body = contents(e.method, e.data, e.data.length, e.rawSize);
  if (typeof body === 'string') return body;
  return crc32(body) === e.crc ? body : 'CRC-32 does not match (damaged or altered)';
}

function read(zip: Buffer): ZipRead {
  const listed = list(zip);
  if (!listed.ok) return listed;
  const entries = new Map<string, Buffer>();
  const damaged = new Map<string, string>();
  for (const e of listed.entries) {
    const body = entryBytes(e);
    if (typeof body === 'string') damaged.set(e.name, body);
    else entries.set(e.name, body);
  }
  return { ok: true, entries, damaged };
}

/** The entry's bytes, or why they cannot be had. */
function contents(method: number, data: Buffer, size: number, rawSize: number): Buffer | string {
  let body: Buffer;
  if (method === 0) {
    if (size !== rawSize) return 'stored size differs from its declared size';
    body = Buffer.from(data);
  } else {
    try {
      // maxOutputLength makes zlib stop at the declared size instead of filling memory.
      body = inflateRawSync(data, { maxOutputLength: Math.max(rawSize, 1) });
    } catch (err) {
      return `does not inflate (${(err as Error).message})`;
    }
  }
  return body.length === rawSize ? body : `inflates to ${body.length} bytes, not the declared ${rawSize}`;
}
