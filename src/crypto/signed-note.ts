import { createHash } from 'node:crypto';
import { sm2Verify } from './sm2.js';

/**
 * C2SP signed-note with SM2 signatures. The note text ends in a newline; after a blank line come
 * signature lines `— <key name> base64(key ID ‖ signature)`. signed-note assigns no type byte to
 * SM2, so ours is 0xff followed by a longer identifier, as it recommends for such types; the key ID
 * is SHA-256(key name ‖ 0x0A ‖ type ‖ public key)[:4] as it recommends, with the 65-byte
 * uncompressed SM2 point. The signature is SM2 with SM3 and the default user ID over the text,
 * DER-encoded.
 */
export const SM2_NOTE_TYPE = Buffer.concat([Buffer.from([0xff]), Buffer.from('zhengzhao/sm2-sm3', 'ascii')]);

const DASH = '\u2014';

export function noteKeyId(keyName: string, publicKeyHex: string): Buffer {
  return createHash('sha256').update(Buffer.concat([Buffer.from(`${keyName}\n`, 'utf8'), SM2_NOTE_TYPE, Buffer.from(publicKeyHex, 'hex')])).digest().subarray(0, 4);
}

/** The verifier key in the `name+hash+base64(type ‖ key)` form Go's note package uses for its keys. */
export function noteVerifierKey(keyName: string, publicKeyHex: string): string {
  return `${keyName}+${noteKeyId(keyName, publicKeyHex).toString('hex')}+${Buffer.concat([SM2_NOTE_TYPE, Buffer.from(publicKeyHex, 'hex')]).toString('base64')}`;
}

export function signNote(text: string, keyName: string, publicKeyHex: string, sign: (data: Buffer) => Buffer): string {
  if (!text.endsWith('\n')) throw new Error('a note text ends in a newline');
  const sig = sign(Buffer.from(text, 'utf8'));
  return `${text}\n${DASH} ${keyName} ${Buffer.concat([noteKeyId(keyName, publicKeyHex), sig]).toString('base64')}\n`;
}

export interface NoteSignature { keyName: string; keyId: Buffer; signature: Buffer }

/** Splits a signed note into its text and signature lines; throws if it is not one. */
export function splitNote(note: string): { text: string; signatures: NoteSignature[] } {
  const at = note.lastIndexOf('\n\n');
  if (at < 0 || !note.endsWith('\n')) throw new Error('not a signed note: no blank line before the signatures');
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new Error('not a signed note: control characters');
  const text = note.slice(0, at + 1);
  const signatures = note.slice(at + 2, -1).split('\n').map((line) => {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/.exec(line);
    if (!m) throw new Error(`not a signature line: ${line}`);
    const raw = Buffer.from(m[2]!, 'base64');
    if (raw.length < 5) throw new Error(`signature too short: ${line}`);
    return { keyName: m[1]!, keyId: raw.subarray(0, 4), signature: raw.subarray(4) };
  });
  return { text, signatures };
}

/**
 * The note's text if a signature of this key verifies; throws otherwise. Signatures of other keys
 * are ignored, as the specification says.
 */
export function openNote(note: string, keyName: string, publicKeyHex: string): string {
  const { text, signatures } = splitNote(note);
  const id = noteKeyId(keyName, publicKeyHex);
  const mine = signatures.filter((s) => s.keyName === keyName && s.keyId.equals(id));
  if (mine.length === 0) throw new Error(`the note has no signature of ${keyName}+${id.toString('hex')}`);
  for (const s of mine) if (!sm2Verify(Buffer.from(text, 'utf8'), s.signature, publicKeyHex)) throw new Error(`the signature of ${keyName}+${id.toString('hex')} does not verify`);
  return text;
}
