import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sm3Hex } from '../crypto/sm3.js';
import type { Certificate } from '../domain/model.js';
import { layOut, type LayoutTemplate } from '../domain/layout-template.js';
import { annotationText, copyProblem, cstIso, MAX_COPY_REASON, type CopyProblem } from '../domain/annotation.js';
import type { FileSigner, LayoutAnnotation, LayoutInput, LayoutSeal } from './layout-input.js';
import type { CopyTerms, FileFormat } from './file-tickets.js';
import { FilesBusyError, type FileKey, type FilePool } from './file-pool.js';

/** Draws and signs one format. */
export type LayoutRenderer = (input: LayoutInput, signer: FileSigner) => Promise<Buffer>;
/** Makes an annotated copy from the bytes of a signed original: adds to them, lays nothing out again. */
export type CopyAnnotator = (original: Buffer, annotation: LayoutAnnotation, signer: FileSigner) => Promise<Buffer> | Buffer;
export interface Renderers extends Record<FileFormat, LayoutRenderer> {
  annotate: Partial<Record<FileFormat, CopyAnnotator>>;
}

export interface SealSource {
  /**
   * The seal of an issuing organisation, by its unified social credit code: the one named by the
   * certificate's seal code when given and usable, else the current one (made if it has none).
   */
  sealFor(orgCode: string, orgName: string, sealCode?: string): Promise<LayoutSeal | undefined>;
}

export { MAX_COPY_REASON };

/** OFD signatures are seal stamps (GB/T 38540): without a seal there is no OFD to make. */
export class NoSealError extends Error {
  constructor(readonly issuerCode: string) {
    super(`the issuer ${issuerCode} has no electronic seal, so no OFD file can be signed; make one with \`zhengzhao seals add\``);
  }
}

export class CopyError extends Error {
  constructor(readonly problem: CopyProblem) {
    super(problem === 'expiry-past' ? 'the copy would already be expired' : problem === 'reason-missing' ? 'a copy needs a reason' : `a copy's reason is at most ${MAX_COPY_REASON} characters`);
  }
}

export interface CertificateFilesOptions {
  dir: string;
  /** Loaded on first use: the renderers bring a CJK font a node answering only data calls never needs. */
  renderers: () => Promise<Renderers>;
  seals: SealSource;
  /** The layout template of a certificate type, if it has one. */
  templateOf?: (typeCode: string) => Promise<LayoutTemplate | undefined>;
  signer: () => FileSigner;
  /** Where the QR code on a file leads: the node's verification page for the certificate. */
  verifyUrl: (certificateId: string) => string;
  now?: () => number;
  /** Worker threads that render originals; without it they are rendered on this thread. */
  pool?: FilePool;
  /** The node key for the pool's threads (they cannot call `signer`). */
  fileKey?: () => FileKey;
  /** How long a download waits for an original being made before it answers busy. */
  waitMs?: number;
  log?: (message: string, err?: unknown) => void;
  /**
   * Seals the files on disk (SM4 under the node's data key, bound to the file's name): a copied
   * data directory reveals no holder. Without it (tests of layout alone) files are kept as made.
   */
  sealer?: { seal(plain: Uint8Array, context: string): Buffer; open(sealed: Uint8Array, context: string): Buffer };
}

/**
 * A certificate's files (GB/T 36905): the original (电子证照原件), made once per format when it is
 * first needed and kept on disk; and annotated copies (电子证照加注件), made for each request that
 * names a purpose, with the statement and its metadata, signed again by the node. File names are
 * hashes, so a directory listing reveals no certificate.
 */
export class CertificateFiles {
  private readonly inflight = new Map<string, Promise<Buffer>>();
  private renderers?: Promise<Renderers>;
  private readonly now: () => number;
  /** Originals rendered by this process, for tests and benchmarks. */
  rendered = 0;

  constructor(private readonly opts: CertificateFilesOptions) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * The original file of a signed certificate, from disk. One that is being made is waited for (at
   * most waitMs, then FilesBusyError); one that is neither on disk nor being made (never made, or
   * deleted) is made now, once, however many downloads ask for it at the same time.
   */
  async original(c: Certificate, format: FileFormat = 'pdf'): Promise<Buffer> {
    const path = this.pathOf(c, format);
    const running = this.inflight.get(path);
    if (running) return this.bounded(running);
    try {
      return this.unseal(await readFile(path), path);
    } catch {
      // Not made yet (no sign went through this process), or deleted from disk: made again, once.
      this.opts.log?.(`the ${format} original of ${c.id} is not on disk: making it now`);
    }
    const job = this.start(c, format, path);
    return this.bounded(job);
  }

  /** Makes the originals of freshly signed certificates, in both formats, and waits for them. */
  async produce(c: Certificate): Promise<void> {
    await Promise.all([this.original(c, 'pdf'), this.original(c, 'ofd')]);
  }

  /**
   * Starts making a freshly signed certificate's originals without waiting: the signing call answers
   * once its transaction is committed. A download that comes first joins the job already running.
   */
  schedule(c: Certificate): void {
    for (const format of ['pdf', 'ofd'] as const) {
      const path = this.pathOf(c, format);
      if (this.inflight.has(path)) continue;
      this.start(c, format, path).catch((err) => {
        if (!(err instanceof NoSealError)) this.opts.log?.(`the ${format} original of ${c.id} was not made`, err);
      });
    }
  }

  /**
   * Makes the originals of certificates that became issued outside `sign` (an import), through the
   * same pool, waiting for room rather than being refused: a bulk caller is slowed to the pool's
   * pace instead of answering busy or queueing without bound. Resolves when these jobs have been
   * handed to the pool; `settled` waits for them to finish.
   */
  async makeOriginals(certs: Certificate[]): Promise<void> {
    // A job reaches the pool only after its seal and template are read, so the pool's room alone
    // would let a fast loop overrun it: this process also keeps at most two jobs per thread going.
    const limit = 2 * (this.opts.pool?.threads ?? 1);
    for (const c of certs) {
      while ((this.inflight.size >= limit || !this.hasRoom()) && this.inflight.size) {
        await Promise.race([...this.inflight.values()].map((j) => j.catch(() => undefined)));
      }
      this.schedule(c);
    }
  }

  /** Waits until no original is being made by this process (for a command that exits afterwards). */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight.values()].map((j) => j.catch(() => undefined)));
  }

  /** Whether the pool would take a certificate's two originals now (always, without a pool). */
  hasRoom(): boolean {
    return !this.opts.pool || this.opts.pool.hasRoom(2);
  }

  /** Refuses (FilesBusyError) when the pool has no room for a certificate's two originals. */
  checkRoom(): void {
    if (!this.hasRoom()) throw new FilesBusyError();
  }

  private pathOf(c: Certificate, format: FileFormat): string {
    // A sealed file has its own suffix: a plaintext one left by an older version is never read, and is made again sealed.
    return join(this.opts.dir, `${sm3Hex(`${c.id}#${c.version}`).slice(0, 40)}.${format}${this.opts.sealer ? '.sm4' : ''}`);
  }

  /** The file's bytes from what is on disk; throws if a sealed file was altered (it is then made again). */
  private unseal(stored: Buffer, path: string): Buffer {
    return this.opts.sealer ? this.opts.sealer.open(stored, `file:${basename(path)}`) : stored;
  }

  private start(c: Certificate, format: FileFormat, path: string): Promise<Buffer> {
    let job = this.inflight.get(path);
    if (!job) {
      job = this.make(c, format, path).finally(() => this.inflight.delete(path));
      this.inflight.set(path, job);
    }
    return job;
  }

  private bounded(job: Promise<Buffer>): Promise<Buffer> {
    const ms = this.opts.waitMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new FilesBusyError('the file is still being made')), ms); });
    return Promise.race([job, timeout]).finally(() => clearTimeout(timer));
  }

  /** Checks a copy request before a link to it is handed out: the same rules apply again at download. */
  checkCopy(terms: CopyTerms): void {
    const problem = copyProblem(terms, this.now());
    if (problem) throw new CopyError(problem);
  }

  /**
   * An annotated copy: the stored original plus the statement of purpose and expiry, signed now. The
   * original is read from disk (made first if it is not there yet); the copy only adds to its bytes.
   */
  async copy(c: Certificate, format: FileFormat, terms: CopyTerms): Promise<Buffer> {
    this.checkCopy(terms);
    const annotation: LayoutAnnotation = {
      text: annotationText(terms.reason, terms.expiresAt),
      madeAt: cstIso(this.now()),
      maker: terms.maker,
      reason: terms.reason.trim(),
      expiresAt: cstIso(terms.expiresAt),
    };
    const annotate = (await this.loadRenderers()).annotate[format];
    if (!annotate) return this.render(c, format, annotation);
    return annotate(await this.original(c, format), annotation, this.opts.signer());
  }

  /** What the renderers draw for a certificate. */
  async layoutInput(c: Certificate, annotation?: LayoutAnnotation): Promise<LayoutInput> {
    const [seal, template] = await Promise.all([this.opts.seals.sealFor(c.issuer.code, c.issuer.name, c.sealCode), this.opts.templateOf?.(c.typeCode)]);
    const page = layOut(c, template);
    return {
      title: page.title,
      fields: page.fields,
      footer: page.footer,
      metadata: {
        certificateId: c.id, typeName: c.typeName, typeCode: c.typeCode, holderCode: c.holder.code,
        holderName: c.holder.name, issuer: c.issuer.name, issuerCode: c.issuer.code, issueDate: c.issueDate,
      },
      qrText: this.opts.verifyUrl(c.id),
      ...(seal ? { seal } : {}),
      ...(annotation ? { annotation } : {}),
    };
  }

  private loadRenderers(): Promise<Renderers> {
    return (this.renderers ??= this.opts.renderers());
  }

  private async render(c: Certificate, format: FileFormat, annotation?: LayoutAnnotation): Promise<Buffer> {
    const renderers = await this.loadRenderers();
    const input = await this.layoutInput(c, annotation);
    if (format === 'ofd' && !input.seal) throw new NoSealError(c.issuer.code);
    return renderers[format](input, this.opts.signer());
  }

  private async make(c: Certificate, format: FileFormat, path: string): Promise<Buffer> {
    const { pool, fileKey } = this.opts;
    let bytes: Buffer;
    if (pool && fileKey) {
      const input = await this.layoutInput(c);
      if (format === 'ofd' && !input.seal) throw new NoSealError(c.issuer.code);
      bytes = await pool.run({ format, input, key: fileKey() });
    } else {
      bytes = await this.render(c, format);
    }
    this.rendered++;
    // Owner-only: the directory 0700 and each file 0600, whatever the umask.
    await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, this.opts.sealer ? this.opts.sealer.seal(bytes, `file:${basename(path)}`) : bytes, { mode: 0o600 });
    await rename(tmp, path);
    return bytes;
  }
}
