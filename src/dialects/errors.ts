import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Transport-level failures, named by kind; each dialect renders them in its own envelope and codes.
 * `too-many` is the rate limit's refusal (src/server/rate-limit.ts). None of the five documents
 * defines a "too many requests" or "busy" code: each dialect answers it in its closest defined
 * code, named where its envelope is installed.
 */
export type TransportFailure = 'too-large' | 'unsupported-media' | 'malformed' | 'not-found' | 'internal' | 'too-many';

export type ErrorHandler = (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * The error handler of each prefix, per server: Fastify answers a URL it cannot decode, or a path
 * parameter over its length limit, before any route (and so any scope) is chosen; the edge
 * (src/server/edge.ts) finds here the handler of the prefix the URL names, so such answers too come
 * in the dialect's envelope.
 */
const byServer = new WeakMap<object, { prefix: string; handler: ErrorHandler }[]>();

/** The error handler registered for the longest prefix of a URL, if any. */
export function transportHandlerFor(app: FastifyInstance, url: string): ErrorHandler | undefined {
  let best: { prefix: string; handler: ErrorHandler } | undefined;
  for (const h of byServer.get(app.server) ?? []) {
    if ((url === h.prefix || url.startsWith(`${h.prefix}/`) || url.startsWith(`${h.prefix}?`)) && h.prefix.length > (best?.prefix.length ?? -1)) best = h;
  }
  return best?.handler;
}

/** Sets a scope's error handler and records it under the scope's prefix for the edge. */
export function setScopeErrorHandler(app: FastifyInstance, handler: ErrorHandler): void {
  app.setErrorHandler(handler);
  const list = byServer.get(app.server) ?? [];
  list.push({ prefix: app.prefix, handler });
  byServer.set(app.server, list);
}

/** Fastify's own messages for what it refuses before a route is chosen, in words that echo nothing of the request. */
const FRAMEWORK_DETAIL: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: 'the URL is not validly percent-encoded',
  FST_ERR_MAX_PARAM_LENGTH: 'a path parameter is too long',
  FST_ERR_ASYNC_CONSTRAINT: 'the request cannot be routed',
};

/** Bytes of a refused body read and dropped before the refusal is sent; beyond that the connection is cut. */
const DRAIN_LIMIT = 256 * 1024 * 1024;

/** Reads what is left of a request's body and drops it, up to DRAIN_LIMIT. */
function drainBody(raw: IncomingMessage): Promise<void> {
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => { raw.off('data', onData); resolve(); };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_LIMIT) { raw.destroy(); done(); }
    };
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('close', done);
    raw.once('error', done);
    raw.resume();
  });
}

/**
 * Makes transport-level failures (unreadable or oversized bodies, unknown paths, input the edge
 * refuses) answer in the dialect's own envelope, never with a stack trace or Fastify's default
 * format. Registered inside each dialect's encapsulated context, so each dialect speaks its own language.
 */
export function installErrorEnvelope(app: FastifyInstance, render: (kind: TransportFailure, detail: string) => unknown, opts: { notFound?: boolean } = {}): void {
  const handler: ErrorHandler = (err, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error({ err }, 'unhandled error');
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      // The rest of the body is read and dropped first: a client still sending it would otherwise meet a
      // closed connection instead of the answer.
      return drainBody(req.raw).then(() => reply.code(413).send(render('too-large', 'request body too large')));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      return reply.code(415).send(render('unsupported-media', `unsupported content type ${req.headers['content-type'] ?? ''}`));
    }
    if (status === 429) {
      const wait = (err as { retryAfterSeconds?: number }).retryAfterSeconds ?? 60;
      return reply.code(429).header('retry-after', String(wait)).send(render('too-many', `too many requests; try again in ${wait} s`));
    }
    if (status >= 400 && status < 500) return reply.code(400).send(render('malformed', `malformed request: ${FRAMEWORK_DETAIL[err.code] ?? err.message}`));
    return reply.code(500).send(render('internal', 'internal error'));
  };
  setScopeErrorHandler(app, handler);
  // A scope nested under a prefix that has its not-found handler already (one per prefix) leaves it out.
  if (opts.notFound === false) return;
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(render('not-found', `${req.method} ${req.url.split('?')[0]}`));
  });
}
