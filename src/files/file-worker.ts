import { parentPort } from 'node:worker_threads';
import { sm2Sign, SM2_DEFAULT_USER_ID } from '../crypto/sm2.js';
import { loadRenderers } from './renderers.js';
import type { LayoutInput } from '../core/layout-input.js';
import type { RenderJob } from '../core/file-pool.js';

/**
 * A thread of the FilePool: renders and signs one original layout file at a time. Buffers arrive
 * as plain Uint8Arrays (structured clone), so the seal's are made Buffers again for the renderers.
 */
const renderers = loadRenderers();
const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

parentPort!.on('message', async ({ format, input, key }: RenderJob) => {
  try {
    const seal = input.seal && { ...input.seal, picturePng: asBuffer(input.seal.picturePng), sesealDer: asBuffer(input.seal.sesealDer) };
    const revived: LayoutInput = { ...input, ...(seal ? { seal } : {}) };
    const signer = { sign: (d: Uint8Array) => sm2Sign(d, key.privateKey, SM2_DEFAULT_USER_ID), certificateDer: asBuffer(key.certificateDer), publicKeyHex: key.publicKeyHex };
    const bytes = await (await renderers)[format](revived, signer);
    parentPort!.postMessage({ bytes });
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message });
  }
});
