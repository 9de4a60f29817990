import type { FastifyError, FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Services } from '../../node/services.js';
import { ConsoleAuth, ConsoleAuthError, DEFAULT_CONSOLE_POLICY } from '../../core/console-auth.js';
import { consoleSessions } from './session.js';
import { dashboardRoutes } from './dashboard.js';
import { accessRoutes } from './access.js';
import { certificateRoutes } from './certificates.js';
import { catalogRoutes } from './catalog.js';
import { usageRoutes } from './usage.js';

export const CONSOLE_API_ROOT = '/console/api';

/**
 * The operator console's API (docs/console.md): the console page calls nothing else. Every route
 * but sign-in needs a session; every answer is JSON, errors as `{ "error": message }` with a 4xx
 * status, which the page shows beside the form that caused it.
 */
export async function consoleApi(app: FastifyInstance, opts: { services: Services; metrics?: Registry }): Promise<void> {
  const s = opts.services;
  const auth = new ConsoleAuth(s.db, { ...DEFAULT_CONSOLE_POLICY, idleSeconds: s.cfg.sessionIdleSeconds });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) return reply.code(400).send({ error: `${err.validationContext ?? 'request'}${err.validation[0]?.instancePath ?? ''} ${err.validation[0]?.message ?? err.message}`.trim() });
    if (err instanceof ConsoleAuthError) return reply.code(400).send({ error: err.message });
    const status = err.statusCode ?? 0;
    if (status >= 400 && status < 500) {
      if (status === 413) return reply.code(413).send({ error: '请求体过大 (request body too large)' });
      if (status === 415) return reply.code(415).send({ error: '请以 JSON 提交 (send application/json)' });
      if (status === 429) return reply.code(429).send({ error: '请求过于频繁 (too many requests)' });
      if (err.code?.startsWith('FST_ERR_') && status !== 404) return reply.code(status).send({ error: '请求格式错误 (malformed request: the body is not valid JSON)' });
      return reply.code(status).send({ error: err.message });
    }
    // The core refuses bad input with a plain Error whose message says why (catalog, seals, accounts);
    // a database or other unexpected failure is logged and answered without its details.
    if ((err as { code?: unknown }).code === undefined && !(err instanceof TypeError) && !(err instanceof RangeError)) return reply.code(400).send({ error: err.message });
    req.log.error({ err }, 'console API error');
    return reply.code(500).send({ error: '内部错误 (internal error)' });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));
  consoleSessions(app, auth);
  dashboardRoutes(app, s, opts.metrics);
  accessRoutes(app, s, auth);
  certificateRoutes(app, s);
  catalogRoutes(app, s);
  usageRoutes(app, s);
}
