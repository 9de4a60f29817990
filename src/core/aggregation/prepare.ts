import { Worker } from 'node:worker_threads';
import type { Keyring } from '../../crypto/keyring.js';
import { CertificateRepo, type SealedCatalog } from '../../store/certificates.js';
import { storedRowsFromCopy } from '../../store/front-db.js';
import { checkCatalogRow, type CatalogEntry, type CatalogProblem } from '../../domain/catalog-row.js';

/** A chunk of rows checked on their own and sealed: everything that needs no database. */
export interface PreparedRows {
  /** Per row, its lic_data ID and Cd_batch. */
  ids: number[];
  batches: string[];
  /** Per row, why it is refused (null for a row whose entry is in `sealed`). */
  problems: (CatalogProblem | null)[];
  sealed: SealedCatalog;
  /** Per row, the index of its entry in `sealed.entries` (-1 when refused). */
  sealedIndex: number[];
}

/** Reads, checks and seals rows (COPY text, see FrontDbRepo.rowsText); pure computation, on this thread or another. */
export function prepareRows(text: Uint8Array, sealer: Pick<CertificateRepo, 'sealCatalog'>): PreparedRows {
  const rows = storedRowsFromCopy(text);
  const problems: PreparedRows['problems'] = [];
  const valid: CatalogEntry[] = [];
  const sealedIndex: number[] = [];
  for (const row of rows) {
    const r = checkCatalogRow(row);
    if (r.ok) {
      problems.push(null);
      sealedIndex.push(valid.length);
      valid.push(r.entry);
    } else {
      problems.push(r.problem);
      sealedIndex.push(-1);
    }
  }
  return { ids: rows.map((r) => r.id), batches: rows.map((r) => r.batch), problems, sealed: sealer.sealCatalog(valid), sealedIndex };
}

export interface Preparer {
  prepare(text: Uint8Array): Promise<PreparedRows>;
  close(): Promise<void>;
}

/** On the calling thread: for short runs, where starting a thread costs more than it saves. */
export function inlinePreparer(certs: Pick<CertificateRepo, 'sealCatalog'>): Preparer {
  return { prepare: async (text) => prepareRows(text, certs), close: async () => {} };
}

/** Compiled, the worker is prepare-worker.js; under tsx a bootstrap registers tsx first (as signer.ts does). */
function startWorker(workerData: unknown): Worker {
  const options = { workerData };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./prepare-worker.js', import.meta.url), options);
  const entry = new URL('./prepare-worker.ts', import.meta.url).href;
  const bootstrap = `(async () => { (await import('tsx/esm/api')).register(); await import(${JSON.stringify(entry)}); })()`;
  return new Worker(bootstrap, { eval: true, ...options });
}

/**
 * On worker threads: checking a row and sealing its holder and content cost more CPU than the
 * database spends writing it, so the main thread only moves rows between the database and the
 * workers, and each side works on its own chunk. A chunk is split between `threads` workers: one
 * worker alone kept the aggregator at a third of COPY's rate while the second core waited.
 */
export function workerPreparer(keys: Keyring, threads = 2): Preparer {
  const workers = Array.from({ length: Math.max(1, threads) }, () => oneWorker(keys));
  return {
    async prepare(text) {
      const parts = await Promise.all(splitLines(text, workers.length).map((part, i) => workers[i]!.prepare(part)));
      return mergePrepared(parts);
    },
    async close() { await Promise.all(workers.map((w) => w.close())); },
  };
}

/** COPY text in `n` parts of about equal size, each of whole lines. */
export function splitLines(text: Uint8Array, n: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let start = 0;
  for (let k = 1; k < n && start < text.length; k++) {
    const cut = text.indexOf(10, Math.max(start, Math.floor((text.length * k) / n) - 1));
    if (cut < 0) break;
    parts.push(text.subarray(start, cut + 1));
    start = cut + 1;
  }
  if (start < text.length) parts.push(text.subarray(start));
  return parts;
}

/** Nothing sealed. */
export const EMPTY_SEALED: SealedCatalog = {
  entries: [], indexes: new Uint8Array(0), sealed: new Uint8Array(0), sealedEnds: new Uint32Array(0), copy: new Uint8Array(0), copyEnds: new Uint32Array(0),
};

/** The parts of one chunk prepared separately, as one: entries and buffers concatenated, indexes and offsets shifted. */
export function mergePrepared(parts: readonly PreparedRows[]): PreparedRows {
  if (parts.length === 1) return parts[0]!;
  const out: PreparedRows = { ids: [], batches: [], problems: [], sealedIndex: [], sealed: EMPTY_SEALED };
  const entries: CatalogEntry[] = [];
  for (const p of parts) {
    const offset = entries.length;
    out.ids.push(...p.ids);
    out.batches.push(...p.batches);
    out.problems.push(...p.problems);
    for (const i of p.sealedIndex) out.sealedIndex.push(i < 0 ? i : i + offset);
    entries.push(...p.sealed.entries);
  }
  const sealed = parts.map((p) => p.sealed);
  out.sealed = {
    entries,
    indexes: Buffer.concat(sealed.map((s) => s.indexes)),
    sealed: Buffer.concat(sealed.map((s) => s.sealed)),
    sealedEnds: shiftedEnds(sealed.map((s) => s.sealedEnds)),
    copy: Buffer.concat(sealed.map((s) => s.copy)),
    copyEnds: shiftedEnds(sealed.map((s) => s.copyEnds)),
  };
  return out;
}

/** End offsets of framed parts laid one after another. */
function shiftedEnds(parts: readonly Uint32Array[]): Uint32Array {
  const out = new Uint32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  let base = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) out[at + i] = p[i]! + base;
    at += p.length;
    base += p.length ? p[p.length - 1]! : 0;
  }
  return out;
}

function oneWorker(keys: Keyring): Preparer {
  const worker = startWorker({ keys: keys.material() });
  const waiting = new Map<number, { resolve: (p: PreparedRows) => void; reject: (e: unknown) => void }>();
  let failed: unknown;
  worker.on('message', ({ id, out }: { id: number; out: PreparedRows }) => { waiting.get(id)?.resolve(out); waiting.delete(id); });
  worker.on('error', (err) => { failed = err; for (const p of waiting.values()) p.reject(err); waiting.clear(); });
  let next = 0;
  return {
    prepare(text) {
      if (failed) return Promise.reject(failed);
      if (text.length === 0) return Promise.resolve({ ids: [], batches: [], problems: [], sealed: EMPTY_SEALED, sealedIndex: [] });
      const id = next++;
      return new Promise((resolve, reject) => { waiting.set(id, { resolve, reject }); worker.postMessage({ id, text }); });
    },
    async close() { await worker.terminate(); },
  };
}

/** Used by the worker: a CertificateRepo that only seals (it never reaches the database). */
export function sealerFor(keys: Keyring): Pick<CertificateRepo, 'sealCatalog'> {
  return new CertificateRepo(undefined as never, keys);
}
