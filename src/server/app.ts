import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import type { Services } from '../node/services.js';
import { nationalDialect, NATIONAL_ROOT } from '../dialects/national/routes.js';
import { beijingDialect, BEIJING_API_ROOT } from '../dialects/beijing/routes.js';
import { beijingViews, BEIJING_WEB_ROOT } from '../dialects/beijing/views.js';
import { sichuanDialect, SICHUAN_ROOT } from '../dialects/sichuan/routes.js';
import { zaozhuangDialect, ZAOZHUANG_ROOT } from '../dialects/zaozhuang/routes.js';
import { yrdDialect, YRD_ROOT } from '../dialects/yrd/routes.js';
import { PEER_INTERFACES, PEER_ONLY_INTERFACES, yrdHandlers } from '../dialects/yrd/handlers.js';
import { wellKnownRoutes } from './well-known.js';
import { logRoutes } from './log.js';
import { fileRoutes } from './files.js';
import { verifyRoutes } from './verify.js';
import { adminRoutes } from './admin.js';
import { loggerOptions } from './log-redaction.js';
import { yrdPeerFace } from '../dialects/yrd/peer-face.js';
import { YRD_PEER_ROOT } from '../federation/peer-message.js';
import type { YrdHandlers } from '../dialects/yrd/contract.js';
import { edge } from './edge.js';
import { transportOptions } from './transport.js';
import { installRateLimit, RateLimiter } from './rate-limit.js';
import { RateCounts } from '../store/rate-counts.js';
import { installMetrics } from './metrics.js';
import { healthRoutes, type StartupTasks } from './health.js';
import { installOpenApi, openApiRoutes } from './openapi.js';
import { consoleApi, CONSOLE_API_ROOT } from './console/routes.js';
import { portalRoutes, PORTAL_API } from './portal/routes.js';
import { webApps } from './web-apps.js';

export interface AppOptions {
  logger?: boolean | { level: string };
  /** A logger of the caller's instead (the fuzzer counts what is logged as an error). */
  loggerInstance?: FastifyBaseLogger;
  /** Bearer credential for the admin API and /metrics; without one neither is mounted. */
  adminToken?: string;
  /** Bearer credential of the log's auditors (leaf contents by index, GET /log/leaf/<index>); the admin credential serves too. */
  auditorToken?: string;
  /** The YRD interfaces the peer face (the direct channel, /yrd/v1/peer) serves; by default tables 1-7 of yrdHandlers. */
  yrdHandlers?: YrdHandlers;
  /**
   * false: without the per-request edge checks (hostile input, rate limit), for the benchmark's
   * same-run baseline only (bench/edge.ts); a node always runs them.
   */
  edgeChecks?: boolean;
  /** What the node still does before it is ready (GET /readyz answers 503 until it is done). */
  startup?: StartupTasks;
  /** Told of every route as it is added (the fuzzer enumerates the routes this way). */
  onRoute?: (route: { method: string | string[]; url: string }) => void;
}

/** The HTTP face of a node: every dialect, the published keys, file downloads, the admin API, the console's API and the web apps. */
export async function buildApp(s: Services, opts: AppOptions = {}): Promise<FastifyInstance> {
  const guard = edge();
  const transport = transportOptions(s.cfg);
  const app = Fastify({
    ...(transport.https ? { https: transport.https } : {}),
    // X-Forwarded-For only from the configured proxies; without them req.ip is the socket's address.
    trustProxy: transport.trustProxy,
    // Credentials never reach the log in clear (log-redaction.ts); a given logger instance (the fuzzer's counter) is used as it is.
    ...(opts.loggerInstance ? { loggerInstance: opts.loggerInstance }
      : { logger: opts.logger === undefined || opts.logger === false ? false : loggerOptions(opts.logger === true ? 'info' : opts.logger.level) }),
    bodyLimit: s.cfg.bodyLimitBytes,
    // Never echo internals: unexpected errors are logged and answered generically by each dialect.
    return503OnClosing: true,
    // Download tickets travel in the path and are longer than Fastify's default parameter limit.
    routerOptions: { maxParamLength: 1024 },
    // A URL Fastify cannot route (bad percent-encoding, an overlong parameter) is answered by the dialect it names.
    frameworkErrors: guard.frameworkErrors,
  });
  guard.install(app, opts.edgeChecks !== false);
  if (opts.edgeChecks !== false) installRateLimit(app, new RateLimiter(s.cfg.rateLimit, new RateCounts(s.db)));
  if (opts.onRoute) app.addHook('onRoute', (r) => opts.onRoute!({ method: r.method, url: r.url }));
  // Before any route: it collects every route's schemas into the OpenAPI documents.
  await installOpenApi(app);
  const metrics = opts.adminToken ? installMetrics(app, s, opts.adminToken) : undefined;
  await app.register(formbody, { bodyLimit: s.cfg.bodyLimitBytes });
  await app.register(wellKnownRoutes, { services: s });
  await app.register(logRoutes, { services: s, auditorTokens: [opts.auditorToken, opts.adminToken].filter((t): t is string => !!t) });
  await app.register(fileRoutes, { services: s });
  await app.register(verifyRoutes, { services: s });
  await app.register(async (scope) => nationalDialect(scope, s), { prefix: NATIONAL_ROOT });
  await app.register(async (scope) => sichuanDialect(scope, s), { prefix: SICHUAN_ROOT });
  await app.register(async (scope) => beijingDialect(scope, s), { prefix: BEIJING_API_ROOT });
  await app.register(async (scope) => beijingViews(scope, s), { prefix: BEIJING_WEB_ROOT });
  await app.register(async (scope) => zaozhuangDialect(scope, s), { prefix: ZAOZHUANG_ROOT });
  await app.register(async (scope) => yrdDialect(scope, s), { prefix: YRD_ROOT });
  const peerHandlers = opts.yrdHandlers ?? peerInterfaces(yrdHandlers(s));
  await app.register(async (scope) => yrdPeerFace(scope, s, peerHandlers), { prefix: YRD_PEER_ROOT });
  await app.register(async (scope) => portalRoutes(scope, s), { prefix: PORTAL_API });
  if (opts.adminToken) await app.register(adminRoutes, { services: s, token: opts.adminToken, prefix: '/admin' });
  await app.register(consoleApi, { services: s, metrics, prefix: CONSOLE_API_ROOT });
  await webApps(app);
  healthRoutes(app, s.db, opts.startup);
  await openApiRoutes(app);
  return app;
}

/** Another province reaches the sharing interfaces (tables 1-7) only; registration, tokens and the holder's view are this node's apps'. */
function peerInterfaces(all: YrdHandlers): YrdHandlers {
  return Object.fromEntries([...PEER_INTERFACES, ...PEER_ONLY_INTERFACES].map((name) => [name, all[name]!]));
}
