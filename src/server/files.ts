import type { FastifyInstance } from 'fastify';
import type { Services } from '../node/services.js';
import { TicketError } from '../core/sharing.js';
import { CopyError, NoSealError } from '../core/certificate-files.js';
import { FilesBusyError } from '../core/file-pool.js';
import { ServiceError, returnMessage } from '../domain/return-codes.js';

const CONTENT_TYPES = { pdf: 'application/pdf', ofd: 'application/ofd' } as const;

/**
 * Download of layout files by the short-lived encrypted ticket in a fileUrl (national 7.4.3). The
 * ticket names the certificate, the format and, for an annotated copy, its purpose and expiry; the
 * certificate must still be usable when the file is fetched.
 */
export async function fileRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services;
  app.get<{ Params: { token: string } }>('/files/:token', async (req, reply) => {
    const ctx = { dialect: 'download', interface: 'file', clientIp: req.ip };
    try {
      const { certificate: c, ticket } = await s.sharing.redeemTicket(ctx, req.params.token);
      const bytes = ticket.copy ? await s.files.copy(c, ticket.format, ticket.copy) : await s.files.original(c, ticket.format);
      const name = `${c.id}${ticket.copy ? '-copy' : ''}.${ticket.format}`;
      return reply
        .header('content-type', CONTENT_TYPES[ticket.format])
        .header('content-disposition', `attachment; filename="${encodeURIComponent(name)}"`)
        .header('cache-control', 'no-store')
        .send(bytes);
    } catch (err) {
      if (err instanceof TicketError) {
        return reply.code(err.reason === 'expired' ? 410 : 403).send({ error: err.reason === 'expired' ? 'download link expired' : 'download link invalid or altered' });
      }
      if (err instanceof CopyError) return reply.code(410).send({ error: err.message });
      if (err instanceof NoSealError) return reply.code(409).send({ error: err.message });
      if (err instanceof FilesBusyError) return reply.code(503).header('retry-after', '2').send({ error: err.message });
      if (err instanceof ServiceError) return reply.code(404).send({ error: returnMessage(err.code), code: err.code });
      req.log.error({ err }, 'file download failed');
      return reply.code(500).send({ error: 'internal error' });
    }
  });
}
