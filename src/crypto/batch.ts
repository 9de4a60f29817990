import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ADDON_PATH } from './sm2-native.js';

/**
 * Many values in one call, for bulk work (the hub's catalog aggregation computes two blind indexes
 * and seals two values per row, a million rows a run). Each value through Node's crypto pays
 * several microseconds of per-call overhead, more than SM3 itself; the addon (native/batch.c) sets
 * the key up once per batch. Without the addon the same bytes come from Node's crypto, one value
 * at a time.
 */

/** Values one after another in one buffer, with the end offset of each. */
export interface Framed { data: Uint8Array; ends: Uint32Array }

/** Strings as UTF-8, framed. */
export function frame(values: readonly string[]): Framed {
  let units = 0;
  for (const v of values) units += v.length;
  // A UTF-16 unit is at most three bytes of UTF-8 (a surrogate pair, two units, is four).
  const data = Buffer.allocUnsafe(units * 3);
  const ends = new Uint32Array(values.length);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    at += data.write(values[i]!, at);
    ends[i] = at;
  }
  return { data: trimmed(data, at), ends };
}

/**
 * The first `length` bytes of a buffer filled into spare room, copied out when the room is much
 * larger: posted to another thread, a view takes its whole underlying memory along.
 */
export function trimmed(data: Buffer, length: number): Buffer {
  if (length * 1.25 >= data.buffer.byteLength) return data.subarray(0, length);
  const exact = Buffer.allocUnsafeSlow(length);
  data.copy(exact, 0, 0, length);
  return exact;
}

/** The i-th framed value. */
export function framedAt(f: Framed, i: number): Uint8Array {
  return f.data.subarray(i === 0 ? 0 : f.ends[i - 1]!, f.ends[i]!);
}

interface BatchAddon {
  hmacSm3Many(key: Uint8Array, data: Uint8Array, ends: Uint32Array): Buffer;
  sm4SealMany(ctrKey: Uint8Array, macKey: Uint8Array, prefix: Uint8Array, plain: Uint8Array, plainEnds: Uint32Array, aad: Uint8Array, aadEnds: Uint32Array): Buffer;
}

/** The addon's batch functions, when it is built and agrees with Node's crypto on a known value. */
function loadAddon(): BatchAddon | null {
  if (process.env.ZHENGZHAO_NATIVE_BATCH === 'off' || !existsSync(ADDON_PATH)) return null;
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as Partial<BatchAddon>;
    if (typeof addon.hmacSm3Many !== 'function' || typeof addon.sm4SealMany !== 'function') return null;
    const key = Buffer.from('zhengzhao batch self-check key!!');
    const f = frame(['', 'abc', '电子证照'.repeat(40)]);
    const ok = addon.hmacSm3Many(key, f.data, f.ends).equals(Buffer.concat([0, 1, 2].map((i) => createHmac('sm3', key).update(framedAt(f, i)).digest())));
    if (!ok) process.emitWarning('the addon\'s HMAC-SM3 disagrees with Node\'s; bulk sealing runs in JavaScript', { code: 'ZHENGZHAO_BATCH' });
    return ok ? addon as BatchAddon : null;
  } catch {
    return null;
  }
}

const addon = loadAddon();

/** Whether bulk HMAC-SM3 and SM4 run in the addon ('openssl') or value by value in Node's crypto. */
export const batchBackend: 'openssl' | 'javascript' = addon ? 'openssl' : 'javascript';

/** HMAC-SM3 of each framed message: 32 bytes each, one after another. */
export function hmacSm3Many(key: Uint8Array, messages: Framed, backend: 'auto' | 'javascript' = 'auto'): Buffer {
  if (addon && backend === 'auto') return addon.hmacSm3Many(key, messages.data, messages.ends);
  const out = Buffer.allocUnsafe(32 * messages.ends.length);
  for (let i = 0; i < messages.ends.length; i++) createHmac('sm3', key).update(framedAt(messages, i)).digest().copy(out, 32 * i);
  return out;
}

/** The addon's sm4SealMany, or null without the addon (Sm4Box then seals value by value). */
export function nativeSm4SealMany(): BatchAddon['sm4SealMany'] | null {
  return addon ? addon.sm4SealMany.bind(addon) : null;
}
