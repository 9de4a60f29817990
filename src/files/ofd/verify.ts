import { checkSesSignature, parseSesSignature, SES_OID } from '../../crypto/ses.js';
import { sm3 } from '../../crypto/sm3.js';
import { readSm2Certificate } from '../../crypto/x509-read.js';
import type { FileInspection } from '../../core/file-check.js';
import { sniffFormat } from '../../core/file-check.js';
import { readCustomDatas } from './metadata.js';
import { child, children, readXml, resolveLoc, textOf, type XmlNode } from './xml-read.js';
import { readZip } from './zip-read.js';

/** Larger than any certificate OFD; bigger input is refused before it is unpacked. */
const MAX_PACKAGE_BYTES = 64 * 1024 * 1024;
/** The parts GB/T 33190 §18 puts in a signed package: the signature list, a signature, a signed value. */
const SIGNATURE_PART = /(^|\/)(Signatures\.xml|Signature\.xml|SignedValue\.dat)$/i;

/**
 * Checks an OFD file by itself (GB/T 33190 §18 with GB/T 38540 seals): every Reference's SM3 against
 * the part it names, every part of the package covered by the signature, dataHash against the SM3 of
 * Signature.xml, the SES_Signature's SM2 signature with its certificate, and the seal (its maker's
 * signature, its validity at signing time, the signer among its certificates). Reads the GB/T 36903
 * metadata from CustomDatas. Whether the signer is trusted is for the caller (signerPublicKeyHex).
 * Never throws.
 */
export function inspectOfd(bytes: Uint8Array): FileInspection {
  const result: FileInspection = { format: 'ofd', signed: false, signatureValid: false, problems: [] };
  try {
    inspect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), result);
  } catch (err) {
    result.signatureValid = false;
    result.problems.push(`unreadable: ${(err as Error).message}`);
  }
  return result;
}

function inspect(bytes: Buffer, r: FileInspection): void {
  if (sniffFormat(bytes) !== 'ofd') { r.problems.push('not an OFD file (not a ZIP package)'); return; }
  if (bytes.length > MAX_PACKAGE_BYTES) { r.problems.push(`larger than ${MAX_PACKAGE_BYTES} bytes`); return; }
  const zip = readZip(bytes);
  if (!zip.ok) { r.problems.push(zip.problem); return; }
  const { entries, damaged } = zip;
  const part = (path: string): Buffer | undefined => entries.get(path);
  for (const [name, why] of damaged) r.problems.push(`part /${name} is damaged: ${why}`);
  // A package that carries signature parts is a signed file, whatever state they are in: if they
  // cannot be read or do not verify, the truth is "the signature does not verify", never "unsigned".
  if ([...entries.keys(), ...damaged.keys()].some((n) => SIGNATURE_PART.test(n))) r.signed = true;

  const ofdBytes = part('OFD.xml');
  if (!ofdBytes) { r.problems.push(damaged.has('OFD.xml') ? 'OFD.xml is damaged' : 'not an OFD package: OFD.xml is missing'); return; }
  const ofd = readXml(ofdBytes, '/OFD.xml');
  if (!ofd.ok) { r.problems.push(ofd.problem); return; }
  const body = children(child(ofd.root, 'OFD'), 'DocBody')[0];
  if (!body) { r.problems.push('OFD.xml has no DocBody'); return; }
  const pairs = children(child(child(body, 'DocInfo'), 'CustomDatas'), 'CustomData')
    .map((c): [string, string] => [String(c['@Name'] ?? ''), textOf(c) ?? '']);
  const { metadata, annotation } = readCustomDatas(pairs);
  r.metadata = metadata;
  if (annotation) r.annotation = annotation;

  const signaturesLoc = textOf(body.Signatures);
  if (signaturesLoc) r.signed = true;
  if (!signaturesLoc) { r.problems.push('the document carries no signature'); return; }
  const signaturesPath = resolveLoc('OFD.xml', signaturesLoc);
  const signaturesBytes = signaturesPath && part(signaturesPath);
  if (!signaturesPath || !signaturesBytes) { r.problems.push(`the signature list ${signaturesLoc} is missing`); return; }
  const list = readXml(signaturesBytes, `/${signaturesPath}`);
  if (!list.ok) { r.problems.push(list.problem); return; }
  const sigs = children(child(list.root, 'Signatures'), 'Signature');
  if (sigs.length === 0) { r.problems.push('the document carries no signature'); return; }

  // Whatever sits beside the signature list belongs to the signatures, which cannot sign themselves.
  const signsDir = signaturesPath.split('/').slice(0, -1).join('/') + '/';
  const covered = new Set<string>();
  let allValid = true;
  let sealValid = true;
  for (const [i, entry] of sigs.entries()) {
    const outcome = checkSignature(entry, signaturesPath, part, r, i === 0);
    outcome.covered.forEach((p) => covered.add(p));
    allValid &&= outcome.valid;
    sealValid &&= outcome.sealValid;
  }
  for (const name of [...entries.keys(), ...damaged.keys()]) {
    if (!name.startsWith(signsDir) && !covered.has(name)) { r.problems.push(`part /${name} is not covered by the signature`); allValid = false; }
  }
  r.signed = true;
  r.signatureValid = allValid && damaged.size === 0;
  r.sealValid = sealValid;
}

function checkSignature(
  entry: XmlNode, listPath: string, part: (p: string) => Buffer | undefined, r: FileInspection, report: boolean,
): { valid: boolean; sealValid: boolean; covered: string[] } {
  const fail = (problem: string) => { r.problems.push(problem); return { valid: false, sealValid: false, covered: [] }; };
  const loc = String(entry['@BaseLoc'] ?? '');
  const sigPath = resolveLoc(listPath, loc);
  const sigBytes = sigPath && part(sigPath);
  if (!sigPath || !sigBytes) return fail(`signature ${loc || '(no BaseLoc)'} is missing`);
  const xml = readXml(sigBytes, `/${sigPath}`);
  if (!xml.ok) return fail(xml.problem);
  const sigRoot = child(xml.root, 'Signature');
  const info = child(sigRoot, 'SignedInfo');
  if (!info) return fail(`/${sigPath} has no SignedInfo`);
  let valid = true;
  const problem = (p: string) => { r.problems.push(p); valid = false; };

  const method = textOf(info.SignatureMethod);
  if (method !== undefined && method !== SES_OID.sm2WithSm3) problem(`/${sigPath}: signature method ${method} is not SM2-with-SM3`);
  const refs = child(info, 'References');
  const checkMethod = String(refs?.['@CheckMethod'] ?? SES_OID.sm3);
  if (checkMethod !== SES_OID.sm3 && checkMethod.toUpperCase() !== 'SM3') problem(`/${sigPath}: check method ${checkMethod} is not SM3`);
  const covered: string[] = [];
  for (const ref of children(refs, 'Reference')) {
    const fileRef = String(ref['@FileRef'] ?? '');
    const path = resolveLoc(sigPath, fileRef);
    const data = path && part(path);
    if (!path || !data) { problem(`part ${fileRef} named by the signature is missing or damaged`); continue; }
    covered.push(path);
    if (sm3(data).toString('base64') !== textOf(ref.CheckValue)?.replace(/\s+/g, '')) problem(`part /${path} was changed after signing (SM3 does not match)`);
  }

  const valueLoc = textOf(sigRoot?.SignedValue) ?? '';
  const valuePath = resolveLoc(sigPath, valueLoc);
  const value = valuePath && part(valuePath);
  if (!valuePath || !value) { problem(`the signed value ${valueLoc || '(none)'} is missing or damaged`); return { valid: false, sealValid: false, covered }; }
  const parsed = parseSesSignature(value);
  if (!parsed.ok) { problem(`/${valuePath}: ${parsed.problem}`); return { valid: false, sealValid: false, covered }; }
  const sig = parsed.value;
  const checks = checkSesSignature(sig, sm3(sigBytes));
  for (const p of checks.signature) problem(`/${valuePath}: ${p.replace('dataHash does not match the signed data', `dataHash does not match /${sigPath} (changed after signing)`)}`);
  r.problems.push(...checks.seal.map((p) => `/${valuePath}: ${p}`));
  if (report) {
    const cert = readSm2Certificate(sig.signerCertificateDer);
    if (cert) r.signerPublicKeyHex = cert.publicKeyHex;
    r.signerCertificateDer = sig.signerCertificateDer;
    r.signedAt = sig.timeInfo.toISOString();
  }
  return { valid, sealValid: checks.seal.length === 0, covered };
}
