import type { FastifyInstance } from 'fastify';
import type { Services } from '../node/services.js';
import { NETWORK_KEYS_PATH } from '../federation/network-keys.js';
import { KEYS_PATH } from '../federation/published-keys.js';

/**
 * Publishes the node's public keys: its signing keys, current and retired, so anyone can check what
 * it signed (use: sign, first, oldest first, as before), and its current exchange key, which other
 * provinces seal YRD envelopes to (use: encrypt); with who the node is (role, area, data source), so
 * a reader can tell it reached the node it meant. A hub also publishes the network's keys.
 */
export async function wellKnownRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services;
  // With the keys that sign the transparency log's checkpoints, by their signed-note key IDs.
  app.get(KEYS_PATH, async () => ({ ...await s.networkKeys.ownDocument(), log: { origin: await s.checkpoints.knownOrigin(), noteKeys: await s.checkpoints.noteKeys() } }));
  app.get(NETWORK_KEYS_PATH, async (_req, reply) => {
    if (s.cfg.role !== 'hub') return reply.code(404).send({ error: { code: 'not-a-hub', message: 'only a hub publishes the network keys; a province publishes its own at ' + KEYS_PATH } });
    return s.networkKeys.document();
  });
}
