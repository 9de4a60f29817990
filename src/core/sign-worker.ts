import { parentPort, workerData } from 'node:worker_threads';
import { sm2Sign } from '../crypto/sm2.js';

/**
 * A signing thread of workerSigner: signs each message of a batch with the node key it was given.
 * sm2.js loads the OpenSSL addon in this thread as well (it is context-aware), with its own key cache.
 */
const { privateKey } = workerData as { privateKey: string };
parentPort!.on('message', ({ id, messages }: { id: number; messages: Uint8Array[] }) => {
  parentPort!.postMessage({ id, out: messages.map((m) => sm2Sign(m, privateKey).toString('base64')) });
});
