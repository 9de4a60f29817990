import type { FastifyInstance } from 'fastify';
import type { Services } from '../core/services.js';

/** Publishes the node's signing keys, current and retired, so anyone can check what it signed. */
export async function wellKnownRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  app.get('/.well-known/zhengzhao/keys', async () => ({ keys: await opts.services.nodeKeys.published() }));
}
