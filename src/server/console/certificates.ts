import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../node/services.js';
import type { Certificate, CertificateSummary } from '../../domain/model.js';
import { maskCertificate, maskName, maskValue } from '../../domain/mask.js';
import { AdminLifecycleError } from '../../core/lifecycle-admin.js';
import { issuedBy } from '../../core/write-authority.js';
import type { ConsoleOperator } from '../../store/console-operators.js';
import { S } from './schemas.js';

/**
 * Whether an operator sees a certificate unmasked and may act on it: only an issuer of the
 * organisation that issued it (seed 002 5.4.2.1.1 c, 5.4.3 c). Administrators and auditors see it
 * masked and cannot change it.
 */
export function entitled(op: ConsoleOperator | undefined, c: Pick<CertificateSummary, 'issuer'>): boolean {
  return op?.role === 'issuer' && issuedBy(op.orgCode, c);
}

const summaryOf = (c: CertificateSummary, open: boolean) => ({
  id: c.id, typeCode: c.typeCode, typeName: c.typeName, number: open ? c.number : maskValue(c.number),
  holder: open ? c.holder : { ...c.holder, name: maskName(c.holder.name), code: maskValue(c.holder.code) },
  issuer: c.issuer, issueDate: c.issueDate, validFrom: c.validFrom ?? null, validTo: c.validTo ?? null, status: c.status,
  abolishReason: c.abolishReason ?? null, entitled: open,
});

const problemStatus = { 'not-found': 404, 'not-issuer': 403, 'no-reason': 400, 'not-issued': 409, 'not-suspended': 409 } as const;

/** Certificates (证照管理): find, view, the issuing organisation's lifecycle actions, and the original files. */
export function certificateRoutes(app: FastifyInstance, s: Services): void {
  const load = async (id: string): Promise<Certificate> => {
    const c = await s.certs.get(id);
    if (!c) throw Object.assign(new Error(`未找到证照 ${id} (no certificate ${id})`), { statusCode: 404 });
    return c;
  };
  // An unmasked view is a use of the certificate, recorded like any other (seed 002 5.4.2.1 c).
  const recordView = (req: FastifyRequest, c: Certificate, what: string) => s.usage.record({
    dialect: 'console', interface: what, operator: req.consoleOperator!.account, accountId: req.consoleOperator!.orgCode,
    holderCode: c.holder.code, certificateIds: [c.id], resultCode: '0', reason: '管理控制台查看', clientIp: req.ip,
  });

  app.get<{ Querystring: { holder?: string; id?: string } }>('/certificates', { schema: { querystring: S.certificateQuery } }, async (req) => {
    const { holder, id } = req.query;
    if (!holder && !id) throw Object.assign(new Error('持证主体代码或证照标识至少填一项 (give holder or id)'), { statusCode: 400 });
    const found: CertificateSummary[] = id ? [await s.certs.get(id)].filter((c): c is Certificate => !!c)
      : (await s.certs.findByHolder({ holderCode: holder!.trim().toUpperCase(), withDrafts: true }, false));
    return found.map((c) => summaryOf(c, entitled(req.consoleOperator, c)));
  });

  app.get<{ Params: { id: string } }>('/certificates/:id', async (req) => {
    const c = await load(req.params.id);
    const open = entitled(req.consoleOperator, c);
    const type = await s.types.get(c.typeCode);
    if (open) await recordView(req, c, 'certificate-view');
    const shown = open ? c : maskCertificate(c, type ?? { fields: [] });
    return { ...summaryOf(shown, true), entitled: open, surface: shown.surface, detail: shown.detail };
  });

  const act = (action: 'suspend' | 'resume' | 'abolish') => async (req: FastifyRequest<{ Params: { id: string }; Body?: { reason?: string } }>) => {
    const op = req.consoleOperator!;
    // The core refuses another organisation's certificate (not-issuer); the console's issuers act for theirs only.
    const by = { account: op.account, via: 'console' as const, orgCode: op.orgCode ?? '' };
    const reason = req.body?.reason ?? '';
    try {
      if (action === 'suspend') return await s.lifecycle.suspend(req.params.id, reason, by);
      if (action === 'resume') return await s.lifecycle.resume(req.params.id, reason, by);
      return await s.lifecycle.abolish(req.params.id, reason, by);
    } catch (err) {
      if (err instanceof AdminLifecycleError) {
        const message = err.problem === 'no-reason' ? '请填写原因 (a reason is required)'
          : err.problem === 'not-found' ? `未找到证照 ${err.detail} (no certificate ${err.detail})`
          : err.problem === 'not-issuer' ? `无权操作：只有发证机构 ${err.detail} 可以操作该证照 (only its issuing organisation may act on it)`
          : `${err.problem}: 证照状态为 ${err.detail}`;
        throw Object.assign(new Error(message), { statusCode: problemStatus[err.problem] });
      }
      throw err;
    }
  };
  const issuerOnly = { config: { roles: ['issuer'] as const }, schema: { body: S.reason } };
  app.post('/certificates/:id/suspend', issuerOnly, act('suspend'));
  app.post('/certificates/:id/resume', issuerOnly, act('resume'));
  app.post('/certificates/:id/abolish', issuerOnly, act('abolish'));

  app.get<{ Params: { id: string; format: string } }>('/certificates/:id/file/:format', { config: { roles: ['issuer'] } }, async (req, reply) => {
    const format = req.params.format;
    if (format !== 'pdf' && format !== 'ofd') throw Object.assign(new Error('format: pdf or ofd'), { statusCode: 404 });
    const c = await load(req.params.id);
    if (!entitled(req.consoleOperator, c)) throw Object.assign(new Error('无权下载：只有发证机构可以下载原件 (only the issuing organisation)'), { statusCode: 403 });
    if (c.status === 'draft') throw Object.assign(new Error('草稿没有版式文件 (a draft has no file)'), { statusCode: 409 });
    const file = await s.files.original(c, format);
    await recordView(req, c, `certificate-file-${format}`);
    return reply.type(format === 'pdf' ? 'application/pdf' : 'application/ofd')
      .header('content-disposition', `attachment; filename="${encodeURIComponent(c.id)}.${format}"`).send(file);
  });
}
