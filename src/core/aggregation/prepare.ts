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

/**
 * Reads, checks and seals rows (COPY text, see FrontDbRepo.rowsText); pure computation, on this
 * thread or another. A chunk is worked through a few hundred rows at a time: what a row needs on
 * the way (its fields, its JSON, its line) then dies young, where a whole chunk's worth would
 * outlive several collections and be copied by each (a fifth less CPU per row, measured).
 */
export function prepareRows(text: Uint8Array, sealer: Pick<CertificateRepo, 'sealCatalog'>, rowsAtATime = 500): PreparedRows {
  const out: PreparedRows = { ids: [], batches: [], problems: [], sealed: EMPTY_SEALED, sealedIndex: [] };
  const parts: SealedCatalog[] = [];
  let entries = 0;
  for (const piece of linesAtATime(text, rowsAtATime)) {
    const valid: CatalogEntry[] = [];
    for (const row of storedRowsFromCopy(piece)) {
      out.ids.push(row.id);
      out.batches.push(row.batch);
      const r = checkCatalogRow(row);
      if (r.ok) {
        out.problems.push(null);
        out.sealedIndex.push(entries + valid.length);
        valid.push(r.entry);
      } else {
        out.problems.push(r.problem);
        out.sealedIndex.push(-1);
      }
    }
    entries += valid.length;
    parts.push(sealer.sealCatalog(valid));
  }
  out.sealed = concatSealed(parts);
  return out;
}

/** COPY text in pieces of `n` whole lines. */
function* linesAtATime(text: Uint8Array, n: number): Generator<Uint8Array> {
  let start = 0;
  while (start < text.length) {
    let end = start;
    for (let k = 0; k < n && end < text.length; k++) {
      const nl = text.indexOf(10, end);
      end = nl < 0 ? text.length : nl + 1;
    }
    yield text.subarray(start, end);
    start = end;
  }
}

/** Sealed catalogs one after another, as one. */
function concatSealed(parts: readonly SealedCatalog[]): SealedCatalog {
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 0) return EMPTY_SEALED;
  return {
    entries: parts.flatMap((p) => p.entries),
    indexes: Buffer.concat(parts.map((p) => p.indexes)),
    sealed: Buffer.concat(parts.map((p) => p.sealed)),
    sealedEnds: shiftedEnds(parts.map((p) => p.sealedEnds)),
    copy: Buffer.concat(parts.map((p) => p.copy)),
    copyEnds: shiftedEnds(parts.map((p) => p.copyEnds)),
  };
}

/** End offsets of framed parts laid one after another. */
function shiftedEnds(parts: readonly Uint32Array[]): Uint32Array {
  const out = new Uint32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  let base = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) out[at + i] = p[i]! + base;
    at += p.length;
    if (p.length) base += p[p.length - 1]!;
  }
  return out;
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

/**
 * Entries as one array per field, the way they cross between threads: a structured clone of
 * thousands of small objects costs several times what the same strings in a few arrays cost,
 * to send and to receive.
 */
interface EntryColumns {
  id: string[]; operation: CatalogEntry['operation'][]; typeCode: string[]; typeName: string[]; name: string[]; number: string[];
  holderName: string[]; holderCode: string[]; holderCodeType: string[]; issuerName: string[]; issuerCode: string[]; areaCode: string[];
  issueDate: CatalogEntry['issueDate'][]; version: number[]; status: CatalogEntry['status'][]; dataSource: string[];
}

export function entryColumns(entries: readonly CatalogEntry[]): EntryColumns {
  const c: EntryColumns = {
    id: [], operation: [], typeCode: [], typeName: [], name: [], number: [], holderName: [], holderCode: [], holderCodeType: [],
    issuerName: [], issuerCode: [], areaCode: [], issueDate: [], version: [], status: [], dataSource: [],
  };
  for (const e of entries) {
    c.id.push(e.id); c.operation.push(e.operation); c.typeCode.push(e.typeCode); c.typeName.push(e.typeName); c.name.push(e.name);
    c.number.push(e.number); c.holderName.push(e.holder.name); c.holderCode.push(e.holder.code); c.holderCodeType.push(e.holder.codeType);
    c.issuerName.push(e.issuer.name); c.issuerCode.push(e.issuer.code); c.areaCode.push(e.issuer.areaCode); c.issueDate.push(e.issueDate);
    c.version.push(e.version); c.status.push(e.status); c.dataSource.push(e.dataSource);
  }
  return c;
}

export function entriesOf(c: EntryColumns): CatalogEntry[] {
  return c.id.map((id, i) => ({
    id, operation: c.operation[i]!, typeCode: c.typeCode[i]!, typeName: c.typeName[i]!, name: c.name[i]!, number: c.number[i]!,
    holder: { name: c.holderName[i]!, code: c.holderCode[i]!, codeType: c.holderCodeType[i]! },
    issuer: { name: c.issuerName[i]!, code: c.issuerCode[i]!, areaCode: c.areaCode[i]! },
    issueDate: c.issueDate[i]!, version: c.version[i]!, status: c.status[i]!, dataSource: c.dataSource[i]!,
  }));
}

/** A prepared chunk as it is posted between threads: entries in columns. */
export type PostedRows = Omit<PreparedRows, 'sealed'> & { sealed: Omit<SealedCatalog, 'entries'> & { entries: EntryColumns } };

export function postable(p: PreparedRows): PostedRows {
  return { ...p, sealed: { ...p.sealed, entries: entryColumns(p.sealed.entries) } };
}

export function received(p: PostedRows): PreparedRows {
  return { ...p, sealed: { ...p.sealed, entries: entriesOf(p.sealed.entries) } };
}

/** Nothing sealed. */
export const EMPTY_SEALED: SealedCatalog = {
  entries: [], indexes: new Uint8Array(0), sealed: new Uint8Array(0), sealedEnds: new Uint32Array(0), copy: new Uint8Array(0), copyEnds: new Uint32Array(0),
};

function oneWorker(keys: Keyring): Omit<Preparer, 'depth'> {
  const worker = startWorker({ keys: keys.material() });
  const waiting = new Map<number, { resolve: (p: PreparedRows) => void; reject: (e: unknown) => void }>();
  let failed: unknown;
  worker.on('message', ({ id, out }: { id: number; out: PostedRows }) => { waiting.get(id)?.resolve(received(out)); waiting.delete(id); });
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
