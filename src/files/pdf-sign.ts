import { SignPdf, Signer } from '@signpdf/signpdf';
import { ANNOTATION_FLAGS, DEFAULT_BYTE_RANGE_PLACEHOLDER, SIG_FLAGS, SUBFILTER_ADOBE_PKCS7_DETACHED } from '@signpdf/utils';
import { buildDetachedSignedData } from '../crypto/cms.js';
import { sm3 } from '../crypto/sm3.js';
import { readCertificate, type CertificateParts } from '../crypto/x509-read.js';
import type { FileSigner, LayoutInput } from '../core/layout-input.js';
import { renderCertificatePdf, type PdfRenderHooks } from './pdf-render.js';

export interface PdfSignOptions {
  /** Defaults to now; whole seconds, since both PDF dates and UTCTime stop there. */
  signingTime?: Date;
  /** /Name of the signature dictionary: who signed, e.g. the node or the issuing authority. */
  name?: string;
  /** /Reason, e.g. "电子证照签发" or "电子证照加注件". */
  reason?: string;
  location?: string;
}

/** Renders a PDF, calling the hooks it is given; renderCertificatePdf is one. */
export type PdfRender = (hooks: PdfRenderHooks) => Promise<Uint8Array>;

/**
 * Renders a layout and signs it: a PDF signature (ISO 32000-1 12.8) whose /Contents is a detached
 * CMS SignedData with SM3 and SM2 over the byte ranges, as signPdf describes.
 */
export async function renderSignedPdf(input: LayoutInput, signer: FileSigner, opts: PdfSignOptions = {}): Promise<Buffer> {
  return signPdf((hooks) => renderCertificatePdf(input, hooks), signer, opts);
}

/**
 * Signs a PDF while it is rendered: the render hook adds an invisible signature field to the page,
 * its signature dictionary (/Filter /Adobe.PPKLite, /SubFilter /adbe.pkcs7.detached, /M) with a
 * zero-filled /Contents of fixed size and a /ByteRange placeholder; @signpdf/signpdf then fills in
 * the ByteRange, hands the bytes outside /Contents to the CMS signer below, and writes the result
 * into /Contents. The signature is thus in the file's only revision, and covers every byte but its
 * own.
 *
 * Signing during rendering rather than on finished bytes spares an incremental update (a second
 * xref section, a rewritten catalog and page) and a PDF parser on the signing path.
 */
export async function signPdf(render: PdfRender, signer: FileSigner, opts: PdfSignOptions = {}): Promise<Buffer> {
  const signingTime = new Date(Math.floor((opts.signingTime ?? new Date()).getTime() / 1000) * 1000);
  const certificate = readCertificate(signer.certificateDer);
  // Room for the certificate plus attributes, signature and headers (about 400 bytes), with margin.
  const contentsLength = signer.certificateDer.length + 1024;
  const unsigned = Buffer.from(await render({
    beforeEnd: (doc) => {
      Object.assign(doc.info, { ZZQZSJ: signingTime.toISOString() });
      addSignaturePlaceholder(doc, { ...opts, signingTime, contentsLength });
    },
  }));
  return new SignPdf().sign(unsigned, new Sm2CmsSigner(signer, certificate, signingTime));
}

/** The CMS side of the signature, in the shape @signpdf/signpdf calls. */
class Sm2CmsSigner extends Signer {
  constructor(private readonly signer: FileSigner, private readonly certificate: CertificateParts, private readonly signingTime: Date) {
    super();
  }

  override async sign(signedBytes: Buffer): Promise<Buffer> {
    return pdfCms(this.signer, this.certificate, sm3(signedBytes), this.signingTime);
  }
}

/** The detached CMS SignedData a PDF signature's /Contents holds, over bytes whose SM3 is given. */
export function pdfCms(signer: FileSigner, certificate: CertificateParts, contentDigest: Buffer, signingTime: Date): Buffer {
  return buildDetachedSignedData({
    contentDigest,
    signingTime,
    certificate: { parsed: certificate.certificate, issuer: certificate.issuer, serialNumber: certificate.serialNumber, der: signer.certificateDer },
    sign: (attributes) => signer.sign(attributes),
  });
}

/** pdfkit's low-level objects that a signature field needs; its typings do not expose them. */
interface PdfkitInternals {
  ref(data: object): PdfRef;
  initForm(): void;
  _acroform?: object;
  _root: { data: { AcroForm: PdfRef } };
  page: { dictionary: PdfRef; annotations: PdfRef[] };
}
interface PdfRef { data: Record<string, unknown>; end(): void }

/**
 * The signature field, as @signpdf/placeholder-pdfkit builds it (that package pins pdfkit 0.11 as a
 * peer, this project uses 0.17): a widget with an empty rectangle on the page, listed in the
 * AcroForm, whose value is the signature dictionary. /ByteRange comes before /Contents because
 * @signpdf/signpdf looks for /Contents after the placeholder.
 */
function addSignaturePlaceholder(pdf: PDFKit.PDFDocument, o: PdfSignOptions & { signingTime: Date; contentsLength: number }): void {
  const doc = pdf as unknown as PdfkitInternals;
  const text = (s: string) => new String(s); // pdfkit writes String objects as PDF strings, plain strings as names
  const signature = doc.ref({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: SUBFILTER_ADOBE_PKCS7_DETACHED,
    ByteRange: [0, DEFAULT_BYTE_RANGE_PLACEHOLDER, DEFAULT_BYTE_RANGE_PLACEHOLDER, DEFAULT_BYTE_RANGE_PLACEHOLDER],
    Contents: Buffer.alloc(o.contentsLength),
    M: o.signingTime,
    ...(o.name ? { Name: text(o.name) } : {}),
    ...(o.reason ? { Reason: text(o.reason) } : {}),
    ...(o.location ? { Location: text(o.location) } : {}),
    Prop_Build: { Filter: { Name: 'Adobe.PPKLite' }, App: { Name: 'zhengzhao' } },
  });
  if (!doc._acroform) doc.initForm();
  const form = doc._root.data.AcroForm;
  const fields = (form.data.Fields as PdfRef[] | undefined) ?? [];
  const widget = doc.ref({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    Rect: [0, 0, 0, 0],
    F: ANNOTATION_FLAGS.PRINT,
    V: signature,
    T: text(`Signature${fields.length + 1}`),
    P: doc.page.dictionary,
  });
  doc.page.annotations.push(widget);
  // No NeedAppearances: a viewer that regenerated field appearances would change a signed file.
  form.data = { Type: 'AcroForm', SigFlags: SIG_FLAGS.SIGNATURES_EXIST | SIG_FLAGS.APPEND_ONLY, Fields: [...fields, widget], DR: form.data.DR };
  signature.end();
  widget.end();
}
