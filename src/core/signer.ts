import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { NodeKeys } from './node-keys.js';

export interface Signature { signature: string; kid: string }

/** Signs canonical certificate data with the node key. */
export interface Signer {
  signMany(messages: Uint8Array[]): Promise<Signature[]>;
  close(): Promise<void>;
}

/** Signs on the calling thread: right for single certificates (issuing). */
export function inlineSigner(keys: NodeKeys): Signer {
  return {
    async signMany(messages) {
      return messages.map((m) => keys.sign(m));
    },
    async close() {},
  };
}

/**
 * Compiled, the worker is sign-worker.js. Under tsx (the tests) it is a .ts file, and Node 20 does
 * not run a worker's .ts entry through the parent's loader, so a small bootstrap registers tsx first.
 */
function startWorker(workerData: { privateKey: string }): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./sign-worker.js', import.meta.url), { workerData });
  const entry = new URL('./sign-worker.ts', import.meta.url).href;
  const bootstrap = `(async () => { (await import('tsx/esm/api')).register(); await import(${JSON.stringify(entry)}); })()`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Signs batches on worker threads: SM2 signing is the slowest step of a bulk import (even through
 * OpenSSL, twice as slow in the JavaScript fallback), and it spreads over every core while the main
 * thread parses and writes.
 */
export function workerSigner(keys: NodeKeys, threads = Math.max(1, availableParallelism())): Signer {
  const { kid, privateKey } = keys.signingMaterial();
  const workers = Array.from({ length: threads }, () => startWorker({ privateKey }));
  const waiting = new Map<number, { resolve: (out: string[]) => void; reject: (e: unknown) => void }>();
  for (const w of workers) {
    w.on('message', ({ id, out }: { id: number; out: string[] }) => { waiting.get(id)?.resolve(out); waiting.delete(id); });
    w.on('error', (err) => { for (const p of waiting.values()) p.reject(err); waiting.clear(); });
  }
  let next = 0;
  return {
    async signMany(messages) {
      const per = Math.ceil(messages.length / workers.length);
      const parts = await Promise.all(workers.map((w, i) => {
        const slice = messages.slice(i * per, (i + 1) * per);
        if (slice.length === 0) return Promise.resolve([] as string[]);
        const id = next++;
        return new Promise<string[]>((resolve, reject) => { waiting.set(id, { resolve, reject }); w.postMessage({ id, messages: slice }); });
      }));
      return parts.flat().map((signature) => ({ signature, kid }));
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
