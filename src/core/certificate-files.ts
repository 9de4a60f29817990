import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sm3Hex } from '../crypto/sm3.js';
import type { Certificate } from '../domain/model.js';
import { layOut, type LayoutTemplate } from '../domain/layout-template.js';
import { annotationText, copyProblem, cstIso, MAX_COPY_REASON, type CopyProblem } from '../domain/annotation.js';
import type { FileSigner, LayoutAnnotation, LayoutInput, LayoutSeal } from '../files/layout-input.js';
import type { CopyTerms, FileFormat } from './file-tickets.js';

/** Draws and signs one format. */
export type LayoutRenderer = (input: LayoutInput, signer: FileSigner) => Promise<Buffer>;
/** Makes an annotated copy from the bytes of a signed original: adds to them, lays nothing out again. */
export type CopyAnnotator = (original: Buffer, annotation: LayoutAnnotation, signer: FileSigner) => Promise<Buffer> | Buffer;
export interface Renderers extends Record<FileFormat, LayoutRenderer> {
  annotate: Partial<Record<FileFormat, CopyAnnotator>>;
}

export interface SealSource {
  /** The seal of an issuing organisation, by its unified social credit code (made if it has none). */
  sealFor(orgCode: string, orgName: string): Promise<LayoutSeal | undefined>;
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

  constructor(private readonly opts: CertificateFilesOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The original file of a signed certificate. */
  async original(c: Certificate, format: FileFormat = 'pdf'): Promise<Buffer> {
    const path = join(this.opts.dir, `${sm3Hex(`${c.id}#${c.version}`).slice(0, 40)}.${format}`);
    try {
      return await readFile(path);
    } catch {
      // not made yet
    }
    let job = this.inflight.get(path);
    if (!job) {
      job = this.make(c, format, path).finally(() => this.inflight.delete(path));
      this.inflight.set(path, job);
    }
    return job;
  }

  /** Makes the originals of freshly signed certificates, in both formats. */
  async produce(c: Certificate): Promise<void> {
    await Promise.all([this.original(c, 'pdf'), this.original(c, 'ofd')]);
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
    const [seal, template] = await Promise.all([this.opts.seals.sealFor(c.issuer.code, c.issuer.name), this.opts.templateOf?.(c.typeCode)]);
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
    const bytes = await this.render(c, format);
    await mkdir(this.opts.dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    return bytes;
  }
}
