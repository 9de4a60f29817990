import { createRequire } from 'node:module';
import { ADDON_PATH } from '../crypto/sm2-native.js';

/**
 * Gives the heap memory that finished worker threads freed back to the system (glibc keeps it in
 * their malloc arenas otherwise: 60 MB of the node's resident size after the demo's seeding). Through
 * the native addon's trimMemory; without the addon, nothing happens.
 */
let trim: (() => boolean) | null | undefined;
export function releaseFreedMemory(): boolean {
  if (trim === undefined) {
    try {
      trim = (createRequire(import.meta.url)(ADDON_PATH) as { trimMemory?: () => boolean }).trimMemory ?? null;
    } catch {
      trim = null;
    }
  }
  return trim ? trim() : false;
}

/** Trims every `ms` (work on worker threads, batches and file making, frees memory at any time); unref'd. */
export function releaseFreedMemoryEvery(ms: number): { stop(): void } {
  const timer = setInterval(releaseFreedMemory, ms);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
