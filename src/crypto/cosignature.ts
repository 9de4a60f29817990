import { createHash } from 'node:crypto';
import { sm2Verify } from './sm2.js';

/**
 * Witness cosignatures in the form of C2SP tlog-cosignature: the witness signs
 * `cosignature/v1\ntime <seconds>\n` followed by the checkpoint text, and the signature line is
 * `— <witness name> base64(key ID ‖ time as 8 bytes big-endian ‖ signature)`. The specification's
 * type byte 0x04 is for Ed25519; ours is 0xff and a longer identifier, as signed-note recommends,
 * with SM2 (SM3, default user ID, DER) as the signature.
 */
export const SM2_COSIGNATURE_TYPE = Buffer.concat([Buffer.from([0xff]), Buffer.from('zhengzhao/sm2-sm3-cosignature/v1', 'ascii')]);

export function cosignatureKeyId(witnessName: string, publicKeyHex: string): Buffer {
  return createHash('sha256').update(Buffer.concat([Buffer.from(`${witnessName}\n`, 'utf8'), SM2_COSIGNATURE_TYPE, Buffer.from(publicKeyHex, 'hex')])).digest().subarray(0, 4);
}

function message(checkpointText: string, time: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${time}\n${checkpointText}`, 'utf8');
}

export function cosign(checkpointText: string, witnessName: string, publicKeyHex: string, sign: (data: Buffer) => Buffer, time: number): string {
  const t = Buffer.alloc(8);
  t.writeBigUInt64BE(BigInt(time));
  const sig = sign(message(checkpointText, time));
  return `\u2014 ${witnessName} ${Buffer.concat([cosignatureKeyId(witnessName, publicKeyHex), t, sig]).toString('base64')}`;
}

/** The time a cosignature line vouches for, if it is this witness's and verifies over the checkpoint text. */
export function verifyCosignature(line: string, checkpointText: string, witnessName: string, publicKeyHex: string): number | undefined {
  const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/.exec(line);
  if (!m || m[1] !== witnessName) return undefined;
  const raw = Buffer.from(m[2]!, 'base64');
  if (raw.length < 13 || !raw.subarray(0, 4).equals(cosignatureKeyId(witnessName, publicKeyHex))) return undefined;
  const time = Number(raw.readBigUInt64BE(4));
  return sm2Verify(message(checkpointText, time), raw.subarray(12), publicKeyHex) ? time : undefined;
}
