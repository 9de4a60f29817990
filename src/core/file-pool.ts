import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { FileFormat } from './file-tickets.js';
import type { LayoutInput } from './layout-input.js';

/** The pool's queue is full: the caller answers its dialect's busy code and may try again later. */
export class FilesBusyError extends Error {
  constructor(what = 'layout files are being made for other requests') {
    super(`busy: ${what}; try again shortly`);
  }
}

/** What a worker needs to sign a file as the node: its key and certificate. */
export interface FileKey { privateKey: string; certificateDer: Buffer; publicKeyHex: string }
export interface RenderJob { format: FileFormat; input: LayoutInput; key: FileKey }

/**
 * The thread's entry is the renderers' module (files/file-worker), given by the composition root so
 * the core does not import the files layer. Compiled it is a .js file; under tsx a bootstrap
 * registers tsx first (as signer.ts does).
 */
function startWorker(entry: URL): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  return new Worker(`(async () => { (await import('tsx/esm/api')).register(); await import(${JSON.stringify(entry.href)}); })()`, { eval: true });
}

interface Pending { job: RenderJob; resolve: (b: Buffer) => void; reject: (e: unknown) => void }

/**
 * Worker threads that render original layout files (the page laid out, the font subset, the file
 * signed), off the thread that answers requests. One thread per core, started on first use; jobs
 * wait in a bounded queue, and a job offered to a full queue is refused (FilesBusyError) rather
 * than left to wait without end.
 */
export class FilePool {
  private readonly workers: { worker: Worker; job?: Pending }[] = [];
  private readonly queue: Pending[] = [];
  /** Files rendered since start, for tests and benchmarks. */
  rendered = 0;

  constructor(private readonly entry: URL, readonly threads = Math.max(1, availableParallelism()), readonly maxQueue = 256) {}

  /** Whether `n` more jobs would be accepted now. */
  hasRoom(n = 1): boolean {
    const idle = this.threads - this.workers.filter((w) => w.job).length;
    return this.queue.length + n <= this.maxQueue + idle;
  }

  run(job: RenderJob): Promise<Buffer> {
    if (!this.hasRoom()) return Promise.reject(new FilesBusyError());
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    for (const p of this.queue.splice(0)) p.reject(new Error('the file pool is closing'));
    await Promise.all(this.workers.splice(0).map((w) => w.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.workers.find((w) => !w.job);
      if (!slot && this.workers.length < this.threads) slot = this.spawn();
      if (!slot) return;
      const next = this.queue.shift()!;
      slot.job = next;
      slot.worker.postMessage(next.job);
    }
  }

  private spawn(): { worker: Worker; job?: Pending } {
    const slot: { worker: Worker; job?: Pending } = { worker: startWorker(this.entry) };
    slot.worker.unref();
    slot.worker.on('message', (m: { bytes?: Uint8Array; error?: string }) => {
      const p = slot.job;
      slot.job = undefined;
      if (m.bytes) { this.rendered++; p?.resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength)); } else p?.reject(new Error(m.error ?? 'the file worker failed'));
      this.pump();
    });
    slot.worker.on('error', (err) => {
      // A worker that died takes only its own job with it; a fresh one takes its place.
      slot.job?.reject(err);
      this.workers.splice(this.workers.indexOf(slot), 1);
      this.pump();
    });
    this.workers.push(slot);
    return slot;
  }
}
