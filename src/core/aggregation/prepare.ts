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
  /** How many chunks it prepares at once. */
  readonly depth: number;
  prepare(text: Uint8Array): Promise<PreparedRows>;
  close(): Promise<void>;
}

/** On the calling thread: for short runs, where starting a thread costs more than it saves. */
export function inlinePreparer(certs: Pick<CertificateRepo, 'sealCatalog'>): Preparer {
  return { depth: 1, prepare: async (text) => prepareRows(text, certs), close: async () => {} };
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
 * workers. Each worker prepares whole chunks, taking turns, so `threads` chunks are prepared at
 * once while the main thread writes the one before them: one worker alone kept the aggregator at a
 * third of COPY's rate while the second core waited, and splitting each chunk between the workers
 * cost a merge of their parts on the main thread.
 */
export function workerPreparer(keys: Keyring, threads = 2): Preparer {
  const workers = Array.from({ length: Math.max(1, threads) }, () => oneWorker(keys));
  let turn = 0;
  return {
    depth: workers.length,
    prepare: (text) => workers[turn++ % workers.length]!.prepare(text),
    async close() { await Promise.all(workers.map((w) => w.close())); },
  };
}

/** Nothing sealed. */
export const EMPTY_SEALED: SealedCatalog = {
  entries: [], indexes: new Uint8Array(0), sealed: new Uint8Array(0), sealedEnds: new Uint32Array(0), copy: new Uint8Array(0), copyEnds: new Uint32Array(0),
};

function oneWorker(keys: Keyring): Omit<Preparer, 'depth'> {
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
