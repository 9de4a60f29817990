import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unstorableAt } from '../domain/storable-text.js';
import { transportHandlerFor } from '../dialects/errors.js';

/**
 * Input refused at the HTTP edge, before any handler: each scope's error handler answers it as a
 * malformed request, in its dialect's "cannot parse" code: 24 数据无法解析 (national, Sichuan,
 * Zaozhuang, YRD), Beijing INVALID_ARGUMENT, the YRD peer face `malformed`, the H5 views a page.
 */
export class EdgeRefusal extends Error {
  readonly statusCode = 400;
  readonly code = 'EDGE_REFUSED';
}

/**
 * The checks every request passes, whatever route it takes:
 * - a query parameter given more than once is refused (the handlers read each as one string);
 * - text PostgreSQL cannot store (a NUL character, a lone UTF-16 surrogate) in the query, the path
 *   or the parsed body is refused, so no caller's input can fail a write shared with others.
 */
export function checkAtEdge(req: FastifyRequest): void {
  const query = req.query as Record<string, unknown> | undefined;
  for (const [name, v] of Object.entries(query ?? {})) {
    if (Array.isArray(v)) throw new EdgeRefusal(`query parameter ${name} is given more than once`);
  }
  const where = unstorableAt(query, 'query') ?? unstorableAt(req.params, 'path') ?? unstorableAt(req.body, 'body');
  if (where) throw new EdgeRefusal(`${where}: text with a NUL character or an unpaired UTF-16 surrogate`);
}

/** What the public pages (verification, downloads, published keys) answer when a request fails: a short JSON error. */
function publicError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const status = err.statusCode ?? 500;
  if (status >= 500 || status < 400) {
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'internal error' });
  }
  if (status === 429) return reply.code(429).send({ error: 'too many requests' });
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) return reply.code(413).send({ error: 'request body too large' });
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) return reply.code(415).send({ error: 'unsupported content type' });
  if (err.code?.startsWith('FST_ERR_') && err.code !== 'FST_ERR_VALIDATION') return reply.code(400).send({ error: 'malformed request' });
  return reply.code(400).send({ error: `malformed request: ${err.message}` });
}

/**
 * Installs the edge on the root of the app, before any route: the checks above for every route,
 * the error and not-found answers of the public pages, and the answer to what Fastify refuses before
 * routing (a bad percent-encoding, an overlong path parameter), given by the handler of the dialect
 * whose prefix the URL names. Pass `frameworkErrors` to Fastify's options.
 */
export function edge(): { frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => void; install(app: FastifyInstance, checks?: boolean): void } {
  let root: FastifyInstance | undefined;
  return {
    frameworkErrors(err, req, reply) {
      const handler = (root && transportHandlerFor(root, req.url)) ?? publicError;
      void handler(err, req, reply);
    },
    install(app, checks = true) {
      root = app;
      if (checks) app.addHook('preValidation', async (req) => checkAtEdge(req));
      app.setErrorHandler(publicError);
      app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));
    },
  };
}
