import type { FastifyError, FastifyInstance } from 'fastify';

/** Transport-level failures, named by kind; each dialect renders them in its own envelope and codes. */
export type TransportFailure = 'too-large' | 'unsupported-media' | 'malformed' | 'not-found' | 'internal';

/**
 * Makes transport-level failures (unreadable or oversized bodies, unknown paths) answer in the
 * dialect's own envelope, never with a stack trace. Registered inside each dialect's encapsulated
 * context, so each dialect speaks its own language.
 */
export function installErrorEnvelope(app: FastifyInstance, render: (kind: TransportFailure, detail: string) => unknown, opts: { notFound?: boolean } = {}): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error({ err }, 'unhandled error');
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      return reply.code(413).send(render('too-large', 'request body too large'));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      return reply.code(415).send(render('unsupported-media', `unsupported content type ${req.headers['content-type'] ?? ''}`));
    }
    if (status >= 400 && status < 500) return reply.code(400).send(render('malformed', `malformed request: ${err.message}`));
    return reply.code(500).send(render('internal', 'internal error'));
  });
  // A scope nested under a prefix that has its not-found handler already (one per prefix) leaves it out.
  if (opts.notFound === false) return;
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(render('not-found', `${req.method} ${req.url.split('?')[0]}`));
  });
}
