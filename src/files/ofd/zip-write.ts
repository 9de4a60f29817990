import { deflateRawSync } from 'node:zlib';
import { crc32, type RawEntry } from './zip-read.js';

/** A part to write: new bytes (deflated here unless `store`), or an entry of another package copied as it is. */
export type ZipPart = { name: string; bytes: Buffer; store?: boolean; level?: number } | { copy: RawEntry };

const UTF8 = 0x800;

/** MS-DOS date and time (local fields, as ZIP readers show them), two 16-bit words. */
function dosTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/**
 * Writes a ZIP package (no ZIP64, no data descriptors). Written here rather than with fflate
 * because an annotated OFD copy takes most of its entries from the original package as they are:
 * their compressed bytes, CRC and sizes are copied, never inflated and deflated again, and only
 * the few new or changed parts are deflated, by zlib (native) rather than in JavaScript.
 */
export function writeZip(parts: ZipPart[], mtime: Date): Buffer {
  const { time, date } = dosTime(mtime);
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    let e: RawEntry;
    if ('copy' in p) {
      e = p.copy;
    } else {
      const store = p.store ?? false;
      e = {
        name: p.name, nameBytes: Buffer.from(p.name, 'utf8'), flags: UTF8, method: store ? 0 : 8,
        crc: crc32(p.bytes), rawSize: p.bytes.length, data: store ? p.bytes : deflateRawSync(p.bytes, { level: p.level ?? 6 }),
      };
    }
    // Bit 3 (sizes in a trailing descriptor) is cleared: this writer puts the sizes in the headers.
    const flags = e.flags & UTF8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.rawSize, 22);
    local.writeUInt16LE(e.nameBytes.length, 26);
    local.writeUInt16LE(0, 28);

    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    local.copy(entry, 8, 6, 30); // flags, method, time, date, CRC, sizes, name length, extra length
    // comment length, disk, internal and external attributes stay 0
    entry.writeUInt32LE(offset, 42);
    central.push(entry, e.nameBytes);

    chunks.push(local, e.nameBytes, e.data);
    offset += local.length + e.nameBytes.length + e.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, directory, end]);
}
