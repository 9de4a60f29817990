import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ADDON_PATH } from '../../src/crypto/sm2-native.js';
import { releaseFreedMemory } from '../../src/server/release-memory.js';

// The addon is built by `npm ci`; CI must have it. glibc (Debian) keeps a finished thread's freed memory in its arena.
const skip = !existsSync(ADDON_PATH) && !process.env.CI ? 'SM2 addon not built' : false;

test('memory a finished worker thread freed goes back to the system', { skip }, async () => {
  // A thread that mallocs and frees 64 MB in small blocks (Buffers below the pool size come from malloc).
  await new Promise<void>((resolve, reject) => {
    const w = new Worker(`
      const keep = [];
      for (let i = 0; i < 16384; i++) keep.push(Buffer.allocUnsafeSlow(4096).fill(1));
      keep.length = 0;
      if (global.gc) global.gc();
    `, { eval: true });
    w.once('exit', () => resolve());
    w.once('error', reject);
  });
  assert.equal(releaseFreedMemory(), true, 'malloc_trim released pages');
  assert.equal(typeof releaseFreedMemory(), 'boolean');
});
