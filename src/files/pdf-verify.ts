import { verifyDetachedSignedData } from '../crypto/cms-verify.js';
import { sniffFormat, type FileInspection } from '../core/file-check.js';
import type { LayoutAnnotation, LayoutMetadata } from '../core/layout-input.js';
import { decodeText, isName, isString, pdfDateToIso, readTrailer, readValue, resolve, type PdfDict, type PdfString, type PdfValue } from './pdf-objects.js';

/** GB/T 36903 names in the information dictionary → the fields they fill. */
const METADATA: Record<string, keyof LayoutMetadata> = {
  ZZBS: 'certificateId', ZZMC: 'typeName', ZZLXDM: 'typeCode', CZZTDM: 'holderCode', CZZT: 'holderName',
  ZZBFJG: 'issuer', ZZBFJGDM: 'issuerCode', ZZBFRQ: 'issueDate',
};
const ANNOTATION: Record<string, keyof LayoutAnnotation> = { JZJZZSJ: 'madeAt', JZJZZZ: 'maker', JZJZZSY: 'reason', JZJYXQJZSJ: 'expiresAt' };

const SUBFILTERS = new Set(['adbe.pkcs7.detached', 'ETSI.CAdES.detached']);

/**
 * What a PDF says about itself: its last signature (ISO 32000-1 12.8) checked against the file's
 * bytes, the signer's key and certificate, and the GB/T 36903 metadata of the signed revision.
 * Whether the signer is trusted is for the caller. Never throws.
 *
 * Any changed byte is caught: outside /Contents it changes the SM3 of the byte ranges; inside, the
 * CMS must be plain DER in one case of hex followed by zeros, and every part of it is either signed
 * or pinned (see verifyDetachedSignedData); the ByteRange must name exactly /Contents and reach the
 * end of the file, so bytes appended after the signed revision (an incremental update could restyle
 * the page) make the signature count as invalid for this file.
 */
export function inspectPdf(bytes: Uint8Array): FileInspection {
  const out: FileInspection = { format: 'pdf', signed: false, signatureValid: false, problems: [] };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (sniffFormat(buf) !== 'pdf') {
    out.problems.push('not a PDF file: it does not start with %PDF-');
    return out;
  }
  let signedEnd = buf.length;
  try {
    signedEnd = checkSignature(buf, out);
  } catch (e) {
    // A signature dictionary that does not parse is still a signature, one that does not verify:
    // saying the file is unsigned would not be true.
    out.signed = buf.lastIndexOf('/ByteRange') !== -1;
    out.signatureValid = false;
    out.problems.push(`PDF signature unreadable: ${(e as Error).message}`);
  }
  try {
    // Metadata is read from the signed revision only: what follows it is nobody's word.
    readMetadata(buf.subarray(0, signedEnd), out);
  } catch (e) {
    out.problems.push(`PDF information dictionary unreadable: ${(e as Error).message}`);
  }
  return out;
}

/** Fills the signature fields of `out`; returns where the signed bytes end. */
function checkSignature(buf: Buffer, out: FileInspection): number {
  const problems = out.problems;
  const at = buf.lastIndexOf('/ByteRange');
  if (at === -1) {
    problems.push('the PDF carries no signature');
    return buf.length;
  }
  const objAt = buf.lastIndexOf(' obj', at);
  const dictAt = objAt === -1 ? -1 : buf.indexOf('<<', objAt);
  if (dictAt === -1 || dictAt > at) throw new Error('the signature dictionary is not an indirect object');
  const { value: sig, end } = readValue(buf, dictAt);
  if (!(sig instanceof Map) || end < at) throw new Error('the signature dictionary does not parse');

  if (!isName(sig.get('Filter'), 'Adobe.PPKLite')) problems.push('the signature /Filter is not Adobe.PPKLite');
  const sub = sig.get('SubFilter');
  if (!isName(sub) || !SUBFILTERS.has(sub.name)) problems.push('the signature /SubFilter is not adbe.pkcs7.detached or ETSI.CAdES.detached');
  const range = sig.get('ByteRange');
  const contents = sig.get('Contents');
  if (!Array.isArray(range) || range.length !== 4 || !range.every((n) => Number.isInteger(n) && (n as number) >= 0)) throw new Error('/ByteRange is not four offsets');
  if (!isString(contents) || !contents.hex) throw new Error('/Contents is not a hex string');
  const [a, aLen, b, bLen] = range as number[] as [number, number, number, number];
  if (a !== 0 || aLen !== contents.start || b !== contents.end) throw new Error('/ByteRange does not leave out exactly /Contents');
  if (b + bLen > buf.length) throw new Error('/ByteRange reaches beyond the end of the file');
  checkHex(buf, contents, problems);
  const signedEnd = b + bLen;
  const covered = signedEnd === buf.length;
  if (!covered) problems.push(`${buf.length - signedEnd} bytes follow the signed revision (appended data or an incremental update)`);

  const cms = verifyDetachedSignedData(contents.bytes, [buf.subarray(0, aLen), buf.subarray(b, signedEnd)], { zeroPadded: true });
  problems.push(...cms.problems);
  // Signed: the file carries a PDF signature of the kind we read, whether or not its bytes verify
  // (a CMS whose bytes were altered is a signature that does not verify, not an unsigned file).
  out.signed = problems.every((p) => !p.startsWith('the signature /'));
  out.signatureValid = out.signed && covered && cms.valid && problems.length === 0;
  out.signerPublicKeyHex = cms.signerPublicKeyHex;
  out.signerCertificateDer = cms.signerCertificateDer;
  const m = sig.get('M');
  out.signedAt = cms.signingTime?.toISOString() ?? (isString(m) ? pdfDateToIso(decodeText(m)) : undefined);
  return signedEnd;
}

/**
 * /Contents must be written in one case with nothing but hex digits: a hex string may legally hold
 * spaces or mix cases, and such a change would decode to the same signature unnoticed.
 */
function checkHex(buf: Buffer, s: PdfString, problems: string[]): void {
  const raw = buf.toString('latin1', s.start + 1, s.end - 1);
  if (!/^([0-9a-f]{2})*$/.test(raw) && !/^([0-9A-F]{2})*$/.test(raw)) problems.push('/Contents is not plain hex in one case');
}

function readMetadata(buf: Buffer, out: FileInspection): void {
  const trailer = readTrailer(buf);
  const info = resolve(buf, trailer?.get('Info'));
  if (!(info instanceof Map)) {
    out.problems.push('the PDF has no information dictionary');
    return;
  }
  const metadata = pick(buf, info, METADATA);
  if (Object.keys(metadata).length) out.metadata = metadata;
  const annotation = pick(buf, info, ANNOTATION);
  if (Object.keys(annotation).length) out.annotation = annotation;
}

function pick<K extends string>(buf: Buffer, info: PdfDict, names: Record<string, K>): Partial<Record<K, string>> {
  const found: Partial<Record<K, string>> = {};
  for (const [key, field] of Object.entries(names)) {
    const v: PdfValue | undefined = resolve(buf, info.get(key));
    if (isString(v)) found[field] = decodeText(v);
  }
  return found;
}
