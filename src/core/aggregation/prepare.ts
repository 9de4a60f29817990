import { Worker } from 'node:worker_threads';
import type { Keyring } from '../../crypto/keyring.js';
import { CertificateRepo, type SealedCatalog } from '../../store/certificates.js';
import type { StoredRow } from '../../store/front-db.js';
import { checkCatalogRow, type CatalogEntry, type CatalogProblem } from '../../domain/catalog-row.js';

/** A chunk of rows checked on their own and sealed: everything that needs no database. */
export interface PreparedRows {
  /** Per row: its entry, or why it is refused. */
  checked: ({ entry: CatalogEntry } | { problem: CatalogProblem })[];
  sealed: SealedCatalog;
  /** Per row, the index of its entry in `sealed.entries` (-1 when refused). */
  sealedIndex: number[];
}

/** Checks and seals rows; pure computation, on this thread or another. */
export function prepareRows(rows: readonly StoredRow[], sealer: Pick<CertificateRepo, 'sealCatalog'>): PreparedRows {
  const checked: PreparedRows['checked'] = [];
  const valid: CatalogEntry[] = [];
  const sealedIndex: number[] = [];
  for (const row of rows) {
    const r = checkCatalogRow(row);
    if (r.ok) {
      checked.push({ entry: r.entry });
      sealedIndex.push(valid.length);
      valid.push(r.entry);
    } else {
      checked.push({ problem: r.problem });
      sealedIndex.push(-1);
    }
  }
  return { checked, sealed: sealer.sealCatalog(valid), sealedIndex };
}

export interface Preparer {
  prepare(rows: StoredRow[]): Promise<PreparedRows>;
  close(): Promise<void>;
}

/** On the calling thread: for short runs, where starting a thread costs more than it saves. */
export function inlinePreparer(certs: Pick<CertificateRepo, 'sealCatalog'>): Preparer {
  return { prepare: async (rows) => prepareRows(rows, certs), close: async () => {} };
}

/** Compiled, the worker is prepare-worker.js; under tsx a bootstrap registers tsx first (as signer.ts does). */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./prepare-worker.js', import.meta.url), { workerData });
  const entry = new URL('./prepare-worker.ts', import.meta.url).href;
  const bootstrap = `(async () => { (await import('tsx/esm/api')).register(); await import(${JSON.stringify(entry)}); })()`;
  return new Worker(bootstrap, { eval: true, workerData });
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
    async prepare(rows) {
      const size = Math.ceil(rows.length / workers.length);
      const parts = await Promise.all(workers.map((w, i) => w.prepare(rows.slice(i * size, (i + 1) * size))));
      return mergePrepared(parts);
    },
    async close() { await Promise.all(workers.map((w) => w.close())); },
  };
}

/** Nothing sealed. */
export const EMPTY_SEALED: SealedCatalog = {
  entries: [], indexes: new Uint8Array(0), sealed: new Uint8Array(0), sealedEnds: new Uint32Array(0), copy: new Uint8Array(0), copyEnds: new Uint32Array(0),
};

/** The parts of one chunk prepared separately, as one: entries and buffers concatenated, indexes and offsets shifted. */
export function mergePrepared(parts: readonly PreparedRows[]): PreparedRows {
  if (parts.length === 1) return parts[0]!;
  const out: PreparedRows = { checked: [], sealedIndex: [], sealed: EMPTY_SEALED };
  const entries: CatalogEntry[] = [];
  for (const p of parts) {
    const offset = entries.length;
    out.checked.push(...p.checked);
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
    prepare(rows) {
      if (failed) return Promise.reject(failed);
      if (rows.length === 0) return Promise.resolve({ checked: [], sealed: EMPTY_SEALED, sealedIndex: [] });
      const id = next++;
      return new Promise((resolve, reject) => { waiting.set(id, { resolve, reject }); worker.postMessage({ id, rows }); });
    },
    async close() { await worker.terminate(); },
  };
}

/** Used by the worker: a CertificateRepo that only seals (it never reaches the database). */
export function sealerFor(keys: Keyring): Pick<CertificateRepo, 'sealCatalog'> {
  return new CertificateRepo(undefined as never, keys);
}
