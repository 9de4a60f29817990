import type { FastifyError, FastifyInstance } from 'fastify';
import { ReturnCode } from '../domain/return-codes.js';

/**
 * Makes transport-level failures (unreadable or oversized bodies, unknown paths) answer in the
 * dialect's own envelope and codes, never with a stack trace. Registered inside each dialect's
 * encapsulated context, so each dialect speaks its own language.
 */
export function installErrorEnvelope(app: FastifyInstance, render: (code: ReturnCode, detail: string) => unknown): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error({ err }, 'unhandled error');
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      return reply.code(413).send(render(ReturnCode.Other, 'request body too large'));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      return reply.code(415).send(render(ReturnCode.Unparseable, `unsupported content type ${req.headers['content-type'] ?? ''}; send application/x-www-form-urlencoded or application/json`));
    }
    if (status >= 400 && status < 500) {
      return reply.code(400).send(render(ReturnCode.Unparseable, `malformed request: ${err.message}`));
    }
    return reply.code(500).send(render(ReturnCode.Other, 'internal error'));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(render(ReturnCode.ServiceNotProvided, `${req.method} ${req.url.split('?')[0]}`));
  });
}
