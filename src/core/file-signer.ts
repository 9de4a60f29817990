import type { FileSigner } from '../files/layout-input.js';
import type { NodeKeys } from './node-keys.js';

const pemToDer = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

/** The node key as a signer of layout files: its SM2 signature and its self-issued certificate. */
export async function nodeFileSigner(keys: NodeKeys): Promise<FileSigner> {
  const current = (await keys.published()).find((k) => k.kid === keys.kid);
  if (!current?.certificatePem) throw new Error(`node key ${keys.kid} has no certificate`);
  return {
    sign: (data) => Buffer.from(keys.sign(data).signature, 'base64'),
    certificateDer: pemToDer(current.certificatePem),
    publicKeyHex: current.publicKeyHex,
  };
}
