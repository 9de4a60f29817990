import { buildSesSignature, SES_OID } from '../../crypto/ses.js';
import { sm3 } from '../../crypto/sm3.js';
import type { FileSigner } from '../../core/layout-input.js';
import { box, el, part, text } from './xml.js';

/** A file of the package: its path inside the ZIP (no leading slash) and its bytes. */
export interface OfdPart { path: string; bytes: Buffer }
/** A part as the signature lists it: its path and its SM3 (from its bytes, or known already). */
export type SignedPart = OfdPart | { path: string; digest: Buffer };

export const SIGNS_DIR = 'Doc_0/Signs';
export const SIGNATURES_PATH = `${SIGNS_DIR}/Signatures.xml`;
const SIGN_DIR = `${SIGNS_DIR}/Sign_0`;
export const SIGNATURE_PATH = `${SIGN_DIR}/Signature.xml`;
const SIGNED_VALUE_PATH = `${SIGN_DIR}/SignedValue.dat`;

export interface StampPlacement {
  /** ID of the page the seal shows on. */
  pageId: number;
  /** x, y, width, height in millimetres on that page. */
  boundary: [number, number, number, number];
}

/** GeneralizedTime form (UTC), the same instant SES_Signature's timeInfo states. */
const generalized = (d: Date) => d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');

/**
 * Signs an OFD package with a seal (GB/T 33190 §18, GB/T 38540): Signature.xml lists the SM3 of
 * every part given (the whole package but the signature files, which cannot cover themselves; a
 * part may come with its SM3 already known), and
 * SignedValue.dat is the SES_Signature over the SM3 of Signature.xml, made by the signer's key and
 * carrying the seal. Returns the three signature parts to add.
 */
export function signParts(parts: SignedPart[], signer: FileSigner, sealDer: Buffer, stamp: StampPlacement, at: Date): OfdPart[] {
  const references = parts.map((p) => el('Reference', { FileRef: `/${p.path}` }, text('CheckValue', ('digest' in p ? p.digest : sm3(p.bytes)).toString('base64'))));
  const signature = part('Signature', {},
    el('SignedInfo', {},
      el('Provider', { ProviderName: 'zhengzhao', Company: 'zhengzhao', Version: '1' }),
      text('SignatureMethod', SES_OID.sm2WithSm3),
      text('SignatureDateTime', generalized(at)),
      el('References', { CheckMethod: SES_OID.sm3 }, ...references),
      el('StampAnnot', { ID: 'sa1', PageRef: stamp.pageId, Boundary: box(...stamp.boundary) })),
    text('SignedValue', `/${SIGNED_VALUE_PATH}`));
  const signedValue = buildSesSignature({ sealDer, timeInfo: at, dataHash: sm3(signature), propertyInfo: `/${SIGNATURE_PATH}` }, signer);
  const signatures = part('Signatures', {},
    text('MaxSignId', 1),
    el('Signature', { ID: 1, Type: 'Seal', BaseLoc: `/${SIGNATURE_PATH}` }));
  return [{ path: SIGNATURES_PATH, bytes: signatures }, { path: SIGNATURE_PATH, bytes: signature }, { path: SIGNED_VALUE_PATH, bytes: signedValue }];
}
