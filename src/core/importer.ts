import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Db } from '../store/db.js';
import type { Keyring } from '../crypto/keyring.js';
import type { Certificate, FieldDefinition } from '../domain/model.js';
import { signedBytes } from '../domain/canonical.js';
import type { CertificateRepo } from '../store/certificates.js';
import type { CertificateTypeRepo } from '../store/certificate-types.js';
import { parseImportRecord } from './import-record.js';
import { newCertificateId } from './identifiers.js';
import type { Signer } from './signer.js';
import type { CatalogFeed } from './aggregation/feed.js';
import { recordEvents } from '../store/certificate-events.js';

export interface ImportProgress { lines: number; inserted: number; existing: number; rejected: number; bytes: number; totalBytes: number }
export interface Rejection { line: number; reason: string }
export interface ImportReport extends ImportProgress { typesCreated: string[]; seconds: number }

export interface ImportOptions {
  onProgress?: (p: ImportProgress) => void;
  onReject?: (r: Rejection) => void;
  batchSize?: number;
  /**
   * Make each new issued certificate's PDF and OFD originals (through the file pool) as it is
   * imported, so no download renders them later. On unless a bulk load turns it off; the import
   * then goes at the pool's pace.
   */
  makeFiles?: boolean;
}

/** Where an import's new certificates get their originals made: the node's certificate files. */
export interface OriginalsMaker {
  makeOriginals(certs: Certificate[]): Promise<void>;
  settled(): Promise<void>;
}

/**
 * Loads NDJSON certificate records: validates every line, creates missing certificate types,
 * signs each certificate's canonical data, and inserts in multi-row batches. Idempotent on
 * (type code, issuer code, number): a line already present is counted, not changed.
 */
export class Importer {
  constructor(
    private readonly db: Db,
    private readonly keys: Keyring,
    private readonly certs: CertificateRepo,
    private readonly types: CertificateTypeRepo,
    private readonly signer: Signer,
    /** Each chunk's new certificates go to the front DB in the chunk's transaction (one insert). */
    private readonly feed: CatalogFeed,
    private readonly files?: OriginalsMaker,
  ) {}

  async importFile(path: string, totalBytes: number, opts: ImportOptions = {}): Promise<ImportReport> {
    const started = Date.now();
    const batchSize = opts.batchSize ?? 500;
    const progress: ImportProgress = { lines: 0, inserted: 0, existing: 0, rejected: 0, bytes: 0, totalBytes };
    const knownTypes = new Map<string, string>((await this.types.list()).map((t) => [t.code, t.name]));
    const typesCreated: string[] = [];
    let batch: Certificate[] = [];
    let lastReport = 0;

    const reject = (line: number, reason: string) => {
      progress.rejected++;
      opts.onReject?.({ line, reason });
    };
    // Batches flow through signing (worker threads) and insertion while the next ones are parsed;
    // at most a few are in flight, and inserts happen in file order.
    const inFlight: Promise<void>[] = [];
    let lastInsert: Promise<void> = Promise.resolve();
    const flush = async () => {
      if (batch.length === 0) return;
      const list = batch;
      batch = [];
      const signed = this.signer.signMany(list.map((c) => signedBytes(c)));
      const previous = lastInsert;
      lastInsert = (async () => {
        const signatures = await signed;
        list.forEach((c, i) => { c.digitalSign = signatures[i]!.signature; c.signKeyId = signatures[i]!.kid; });
        await previous;
        const inserted = await this.db.transaction(async (tx) => {
          const ids = new Set(await this.certs.insertMany(list, tx));
          // An imported abolished certificate is reported as D, so the hub answers 21 for it.
          await this.feed.record(tx, list.filter((c) => ids.has(c.id)).map((c) => ({ operation: c.status === 'abolished' ? 'D' as const : 'I' as const, cert: c })));
          // Each certificate brought in is a lifecycle event, and so a leaf of the log, committed with it.
          await recordEvents(tx, list.filter((c) => ids.has(c.id)).map((c) => ({ certificateId: c.id, action: 'import' as const, operator: { via: 'import' } })));
          return ids;
        });
        progress.inserted += inserted.size;
        // A line already present had its originals made when it first came in (or makes them on download).
        if (this.files && opts.makeFiles !== false) await this.files.makeOriginals(list.filter((c) => inserted.has(c.id) && c.status === 'issued'));
        progress.existing += list.length - inserted.size;
        const now = Date.now();
        if (opts.onProgress && now - lastReport > 200) { lastReport = now; opts.onProgress({ ...progress }); }
      })();
      // Observed here so a failure is reported where it is awaited, never as an unhandled rejection.
      lastInsert.catch(() => {});
      inFlight.push(lastInsert);
      if (inFlight.length >= 4) await inFlight.shift();
    };

    const input = createReadStream(path);
    input.on('data', (chunk) => { progress.bytes += chunk.length; });
    const lines = createInterface({ input, crlfDelay: Infinity });
    for await (const line of lines) {
      progress.lines++;
      const n = progress.lines;
      if (line.trim() === '') continue;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        reject(n, 'not valid JSON');
        continue;
      }
      const parsed = parseImportRecord(raw);
      if (!parsed.ok) { reject(n, parsed.reason); continue; }
      const { cert, typeName } = parsed;
      const known = knownTypes.get(cert.typeCode);
      if (known === undefined) {
        await this.types.insertIfMissing({
          code: cert.typeCode, name: typeName, defineAuthorityCode: cert.typeCode.slice(0, 18), fields: fieldsOf(cert.surface),
          status: 'published', isOpen: true,
          holderCategory: cert.holder.codeType.startsWith('0') ? '法人或其他组织' : '自然人',
        });
        knownTypes.set(cert.typeCode, typeName);
        typesCreated.push(cert.typeCode);
      } else if (known !== typeName) {
        reject(n, `certificateType: "${typeName}" does not match the name "${known}" of type ${cert.typeCode}`);
        continue;
      }
      const id = cert.id ?? newCertificateId(this.keys, cert.typeCode, cert.issuer.code, cert.number);
      batch.push({ ...cert, id, typeName });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    await Promise.all(inFlight);
    if (this.files && opts.makeFiles !== false) await this.files.settled();
    opts.onProgress?.({ ...progress, bytes: totalBytes });
    return { ...progress, bytes: totalBytes, typesCreated, seconds: (Date.now() - started) / 1000 };
  }
}

function fieldsOf(surface: Certificate['surface']): FieldDefinition[] {
  return surface.map((s) => ({ columnName: s.columnName, name: s.name, valueType: s.valueType, required: false, sensitive: false }));
}
