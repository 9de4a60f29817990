import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import type { Services } from '../core/services.js';
import { nationalDialect, NATIONAL_ROOT } from '../dialects/national/routes.js';
import { beijingDialect, BEIJING_API_ROOT } from '../dialects/beijing/routes.js';
import { beijingViews, BEIJING_WEB_ROOT } from '../dialects/beijing/views.js';
import { sichuanDialect, SICHUAN_ROOT } from '../dialects/sichuan/routes.js';
import { zaozhuangDialect, ZAOZHUANG_ROOT } from '../dialects/zaozhuang/routes.js';
import { wellKnownRoutes } from './well-known.js';
import { fileRoutes } from './files.js';
import { verifyRoutes } from './verify.js';
import { adminRoutes } from './admin.js';
import { yrdPeerFace } from '../dialects/yrd/peer-face.js';
import { YRD_PEER_ROOT } from '../federation/peer-message.js';
import type { YrdHandlers } from '../dialects/yrd/contract.js';

export interface AppOptions {
  logger?: boolean | { level: string };
  /** Bearer credential for the admin API; without one the admin API is not mounted. */
  adminToken?: string;
  /** The YRD interfaces; with them the peer face (the direct channel) is mounted under /yrd/v1/peer. */
  yrdHandlers?: YrdHandlers;
}

/** The HTTP face of a node: every dialect, the published keys, file downloads and the admin API. */
export async function buildApp(s: Services, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: s.cfg.bodyLimitBytes,
    // Never echo internals: unexpected errors are logged and answered generically by each dialect.
    return503OnClosing: true,
    // Download tickets travel in the path and are longer than Fastify's default parameter limit.
    routerOptions: { maxParamLength: 1024 },
  });
  await app.register(formbody, { bodyLimit: s.cfg.bodyLimitBytes });
  await app.register(wellKnownRoutes, { services: s });
  await app.register(fileRoutes, { services: s });
  await app.register(verifyRoutes, { services: s });
  await app.register(async (scope) => nationalDialect(scope, s), { prefix: NATIONAL_ROOT });
  await app.register(async (scope) => sichuanDialect(scope, s), { prefix: SICHUAN_ROOT });
  await app.register(async (scope) => beijingDialect(scope, s), { prefix: BEIJING_API_ROOT });
  await app.register(async (scope) => beijingViews(scope, s), { prefix: BEIJING_WEB_ROOT });
  await app.register(async (scope) => zaozhuangDialect(scope, s), { prefix: ZAOZHUANG_ROOT });
  if (opts.yrdHandlers) {
    const handlers = opts.yrdHandlers;
    await app.register(async (scope) => yrdPeerFace(scope, s, handlers), { prefix: YRD_PEER_ROOT });
  }
  if (opts.adminToken) await app.register(adminRoutes, { services: s, token: opts.adminToken, prefix: '/admin' });
  app.get('/healthz', async () => ({ ok: true }));
  return app;
}
