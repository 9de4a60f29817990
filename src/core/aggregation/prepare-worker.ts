import { parentPort, workerData } from 'node:worker_threads';
import { Keyring, type KeyringMaterial } from '../../crypto/keyring.js';
import { postable, prepareRows, sealerFor } from './prepare.js';

/** The aggregator's preparing thread: checks and seals each chunk it is sent (see workerPreparer). */
const sealer = sealerFor(Keyring.fromMaterial((workerData as { keys: KeyringMaterial }).keys));
parentPort!.on('message', ({ id, text }: { id: number; text: Uint8Array }) => {
  parentPort!.postMessage({ id, out: postable(prepareRows(text, sealer)) });
});
