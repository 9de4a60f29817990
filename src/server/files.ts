import type { FastifyInstance } from 'fastify';
import type { Services } from '../core/services.js';
import { TicketError } from '../core/sharing.js';
import { ServiceError, returnMessage } from '../domain/return-codes.js';

/**
 * Download of layout files by the short-lived encrypted ticket in a fileUrl (national 7.4.3). The
 * ticket names the certificate; the certificate must still be usable when the file is fetched.
 */
export async function fileRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services;
  app.get<{ Params: { token: string } }>('/files/:token', async (req, reply) => {
    const ctx = { dialect: 'download', interface: 'file', clientIp: req.ip };
    try {
      const c = await s.sharing.redeemTicket(ctx, req.params.token);
      const pdf = await s.files.pdf(c);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="${encodeURIComponent(c.id)}.pdf"`)
        .header('cache-control', 'no-store')
        .send(pdf);
    } catch (err) {
      if (err instanceof TicketError) {
        return reply.code(err.reason === 'expired' ? 410 : 403).send({ error: err.reason === 'expired' ? 'download link expired' : 'download link invalid or altered' });
      }
      if (err instanceof ServiceError) return reply.code(404).send({ error: returnMessage(err.code), code: err.code });
      req.log.error({ err }, 'file download failed');
      return reply.code(500).send({ error: 'internal error' });
    }
  });
}
