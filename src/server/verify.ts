import type { FastifyInstance } from 'fastify';
import type { Services } from '../node/services.js';
import { usability } from '../domain/model.js';
import { cstDate, formatChineseDate } from '../domain/dates.js';
import { maskName } from '../domain/mask.js';
import { FILE_OUTCOME_TEXT } from '../domain/file-outcome.js';
import { fileOnPage } from '../domain/page-verdict.js';
import type { FileVerdict } from '../core/file-verification.js';
import { verifyPage, type StatusView } from './verify-page.js';

const STATUS_TEXT = { usable: '有效', abolished: '已废止', expired: '已过期', suspended: '暂时失效', draft: '未签发' } as const;

/**
 * The node's public verification: where the QR code on every file leads (GET /verify/:id shows the
 * certificate's state, the holder's name masked), and a check of a whole file (POST /verify/file)
 * through the same core check the dialects' file verification interfaces use.
 */
export async function verifyRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const s = opts.services;
  // The file itself may be posted as the body, not only base64 inside JSON.
  app.addContentTypeParser(['application/pdf', 'application/ofd', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: s.cfg.fileBodyLimitBytes },
    (_req, body, done) => done(null, body));

  app.get<{ Params: { id: string } }>('/verify/:id', async (req, reply) => {
    const id = req.params.id;
    const c = id.length <= 200 ? await s.certs.get(id) : undefined;
    await s.usage.record({ dialect: 'public', interface: 'verify-page', clientIp: req.ip, certificateIds: c ? [c.id] : [], holderCode: c?.holder.code, resultCode: c ? 'shown' : 'not-found' });
    const view: StatusView | undefined = c && c.status !== 'draft' ? {
      id: c.id, typeName: c.typeName, holderName: maskName(c.holder.name), issuer: c.issuer.name,
      issueDate: formatChineseDate(c.issueDate), validTo: c.validTo ? formatChineseDate(c.validTo) : '长期',
      state: STATUS_TEXT[usability(c, cstDate(new Date()))], usable: usability(c, cstDate(new Date())) === 'usable',
    } : undefined;
    return reply.code(view ? 200 : 404).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(verifyPage(view, id));
  });

  app.post('/verify/file', { bodyLimit: s.cfg.fileBodyLimitBytes }, async (req, reply) => {
    const body = req.body as { fileEntity?: unknown; fileFormat?: unknown; certificateId?: unknown } | Buffer | undefined;
    // The page of one certificate says which (JSON certificateId, or ?certificateId= with the file as the body).
    const fromQuery = (req.query as Record<string, unknown> | undefined)?.certificateId;
    const fromBody = !Buffer.isBuffer(body) && body && typeof body === 'object' ? body.certificateId : undefined;
    const pageId = typeof fromBody === 'string' && fromBody ? fromBody : typeof fromQuery === 'string' && fromQuery ? fromQuery : undefined;
    let bytes: Buffer;
    let declared: 'pdf' | 'ofd' | undefined;
    if (Buffer.isBuffer(body)) {
      bytes = body;
    } else {
      if (!body || typeof body !== 'object' || typeof body.fileEntity !== 'string' || body.fileEntity.length === 0) {
        return reply.code(400).send({ error: 'fileEntity (base64 of a PDF or OFD file) is required' });
      }
      if (!/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(body.fileEntity)) return reply.code(400).send({ error: 'fileEntity is not base64' });
      bytes = Buffer.from(body.fileEntity, 'base64');
      const f = typeof body.fileFormat === 'string' ? body.fileFormat.trim().toLowerCase() : '';
      if (f && f !== 'pdf' && f !== 'ofd') return reply.code(400).send({ error: 'fileFormat must be pdf or ofd' });
      declared = (f || undefined) as typeof declared;
    }
    const verdict = await s.fileVerification.verify({ dialect: 'public', interface: 'verify-file', clientIp: req.ip }, bytes, declared);
    return publicVerdict(verdict, pageId);
  });
}

export function publicVerdict(v: FileVerdict, pageCertificateId?: string) {
  const shown = pageCertificateId === undefined ? { outcome: v.outcome, message: FILE_OUTCOME_TEXT[v.outcome] } : fileOnPage(v.outcome, v.certificate?.id, pageCertificateId);
  return {
    genuine: shown.outcome === 'genuine',
    outcome: shown.outcome,
    message: shown.message,
    format: v.format ?? null,
    certificate: v.certificate ? { id: v.certificate.id, typeName: v.certificate.typeName, issuer: v.certificate.issuer.name, status: v.certificate.status } : null,
    signedAt: v.signedAt ?? null,
    copy: v.copy ?? null,
    problems: v.problems,
  };
}
