import type { FastifyInstance } from 'fastify';
import type { Services } from '../node/services.js';
import { syncKeys } from '../federation/members.js';

/** The admin API of keys and YRD peers (mounted inside the authenticated admin scope). */
export async function adminKeyRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services;
  const notFound = (what: string) => Object.assign(new Error(what), { statusCode: 404 });

  app.get('/peers', async () => s.peers.list());
  app.post<{ Body: { areaCode: string; name: string; baseUrl: string; fetch?: boolean } }>('/peers', async (req) => {
    const b = req.body ?? ({} as { areaCode: string; name: string; baseUrl: string });
    return s.peers.add(b, { fetch: !!b.fetch });
  });
  app.delete<{ Params: { area: string } }>('/peers/:area', async (req) => {
    if (!(await s.peers.remove(req.params.area))) throw notFound(`no peer ${req.params.area}`);
    return { removed: req.params.area };
  });
  app.post<{ Params: { area: string } }>('/peers/:area/fetch', async (req) => s.peers.fetch(req.params.area));
  app.post('/peers-fetch', async () => s.peers.fetchAll());

  app.post('/sync-keys', async () => syncKeys(s));
  app.get<{ Querystring: { owner?: string } }>('/peer-keys', async (req) => s.peerKeys.list(req.query.owner));
  app.post('/exchange-keys/rotate', async () => ({ kid: await s.exchangeKeys.rotate() }));
}
