import { sm2Decrypt, sm2Encrypt } from './sm2.js';

/**
 * The SM2 envelope of the Yangtze River Delta interface (seed 004, 5.5 and 6.1): the business data
 * of a request or reply, as UTF-8 JSON, SM2-encrypted to the receiving province's public key and
 * written "BASE64+HEX". The seed names the encodings but not their order or the ciphertext layout,
 * so this is the layout we send:
 *
 *   bytes  = SM2 ciphertext in GM/T 0003.4 order, raw: C1 ‖ C3 ‖ C2 with C1 = 04 ‖ x1 ‖ y1 (65 bytes),
 *            C3 = SM3(x2 ‖ M ‖ y2) (32 bytes), C2 as long as M
 *   text   = bytes as lowercase hexadecimal (2 × (97 + |M|) characters, starting "04")
 *   data   = standard Base64 (RFC 4648 §4, padded) of that ASCII text
 *
 * Why: hex of the raw C1C3C2 with its 04 is what the common SM2 libraries print (BouncyCastle's
 * SM2Engine in C1C3C2 mode with Hex.toHexString, sm-crypto's output after "04"), so "HEX" is the
 * ciphertext as a peer's library hands it over and "BASE64" is the outer transport encoding, the
 * reading in which both names of the seed do something. Lowercase because those libraries write it.
 *
 * What the decoder accepts, to meet other provinces' libraries half-way: hex in either case, Base64
 * with line breaks (Java's MIME encoder), and C1 without its 04 (sm-crypto's default output) — tried
 * only after the 04 form fails, so a well-formed envelope costs one decryption. Nothing else: not
 * the DER (GM/T 0009) form, not the old C1C2C3 order, not plain JSON.
 */

export type EnvelopeProblem =
  /** Business data sent in clear: a JSON value where the envelope belongs, or Base64 of JSON text. */
  | 'plain'
  /** Not a Base64 string. */
  | 'not-base64'
  /** Base64 of something other than hexadecimal text. */
  | 'not-hex'
  /** Hex of fewer bytes than C1 ‖ C3 and one byte of C2, or of an odd number of digits. */
  | 'truncated'
  /** C3 does not match (or C1 is not a curve point): the data was altered or encrypted to another key. */
  | 'tampered'
  /** Decrypted, but not a UTF-8 JSON object. */
  | 'not-json';

const MESSAGES: Readonly<Record<EnvelopeProblem, string>> = {
  plain: 'business data must be SM2-encrypted (BASE64+HEX), not sent in clear',
  'not-base64': 'the envelope is not Base64 text',
  'not-hex': 'the envelope does not decode to hexadecimal text',
  truncated: 'the envelope is too short for an SM2 ciphertext (C1 ‖ C3 ‖ C2)',
  tampered: 'the envelope does not decrypt: C3 does not match (altered, or encrypted to another key)',
  'not-json': 'the decrypted business data is not a JSON object',
};

/** Why an envelope was refused; `problem` tells the kinds apart for callers and tests. */
export class EnvelopeError extends Error {
  constructor(readonly problem: EnvelopeProblem, detail?: string) {
    super(detail ? `${MESSAGES[problem]}: ${detail}` : MESSAGES[problem]);
    this.name = 'EnvelopeError';
  }
}

/** C1 (65) + C3 (32): a ciphertext needs these and at least one byte of C2. */
const HEADER_BYTES = 97;

/** Seals a JSON object to the receiver's SM2 public key (04 ‖ x ‖ y, hex). */
export function sealEnvelope(data: Readonly<Record<string, unknown>>, receiverPublicKeyHex: string): string {
  const json = Buffer.from(JSON.stringify(data), 'utf8');
  return encodeEnvelope(sm2Encrypt(json, receiverPublicKeyHex));
}

/** Opens an envelope with the receiver's private key; throws EnvelopeError with the reason it cannot. */
export function openEnvelope(data: unknown, privateKeyHex: string): Record<string, unknown> {
  const plain = decryptEnvelope(data, privateKeyHex);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
  } catch (err) {
    throw new EnvelopeError('not-json', (err as Error).message);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new EnvelopeError('not-json', `a ${Array.isArray(value) ? 'list' : typeof value}`);
  return value as Record<string, unknown>;
}

/** The raw C1 ‖ C3 ‖ C2 bytes as the envelope's text. */
export function encodeEnvelope(ciphertext: Uint8Array): string {
  return Buffer.from(Buffer.from(ciphertext).toString('hex'), 'latin1').toString('base64');
}

/** The raw C1 ‖ C3 ‖ C2 bytes inside an envelope (04 restored when the sender left it out). Throws EnvelopeError. */
export function decodeEnvelope(data: unknown): Buffer {
  if (typeof data !== 'string') throw new EnvelopeError(data !== null && typeof data === 'object' ? 'plain' : 'not-base64', `a ${data === null ? 'null' : typeof data}`);
  const b64 = data.replace(/[\r\n]/g, '');
  if (/^\s*[{[]/.test(b64)) throw new EnvelopeError('plain');
  if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new EnvelopeError('not-base64');
  const text = Buffer.from(b64, 'base64').toString('latin1');
  if (/^\s*[{[]/.test(text)) throw new EnvelopeError('plain', 'Base64 of JSON text');
  if (!/^[0-9A-Fa-f]*$/.test(text)) throw new EnvelopeError('not-hex');
  if (text.length % 2 !== 0) throw new EnvelopeError('truncated', 'an odd number of hex digits');
  const bytes = Buffer.from(text, 'hex');
  if (bytes.length < HEADER_BYTES) throw new EnvelopeError('truncated', `${bytes.length} bytes`);
  return bytes;
}

/** The plaintext bytes of an envelope. Throws EnvelopeError. */
export function decryptEnvelope(data: unknown, privateKeyHex: string): Buffer {
  const bytes = decodeEnvelope(data);
  const candidates: Buffer[] = [];
  if (bytes[0] === 0x04 && bytes.length > HEADER_BYTES) candidates.push(bytes);
  // sm-crypto leaves the 04 out: x1 ‖ y1 ‖ C3 ‖ C2.
  candidates.push(Buffer.concat([Buffer.from([0x04]), bytes]));
  for (const c of candidates) {
    try {
      return sm2Decrypt(c, privateKeyHex);
    } catch {
      // the next reading, if any
    }
  }
  throw new EnvelopeError('tampered');
}
