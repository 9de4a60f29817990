import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../node/services.js';
import type { Session } from '../../core/sessions.js';
import type { CallContext } from '../../core/usage.js';
import type { Viewer } from '../../core/using.js';
import type { Certificate } from '../../domain/model.js';
import { ArgumentError, correlation, intParam, withSession, type Query } from './handler.js';
import { paramsOf, queryParamsOf, text, operatorOf } from './params.js';
import { expiry, license } from './license.js';

/**
 * Using certificates (6.7, appendix G) and the mobile variants (6.8, appendix H): listings with
 * usage codes, token exchange, data and archive file by code. Thin mappings onto UsingService.
 */
export async function usageRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const route = (fn: Parameters<typeof withSession>[1]) => withSession(s, fn);
  const viewer = (session: Session): Viewer => ({ account: session.operator.account, name: session.operator.name, sensitiveAccess: session.operator.sensitiveAccess === true });
  /** The usage record's context: the app, the operator the call names (else the session's), the item and case. */
  const context = (req: FastifyRequest, session: Session, name: string, p: Record<string, unknown>, withOperator: boolean): CallContext => ({
    dialect: 'beijing', interface: name, accountId: session.appKey,
    operator: withOperator ? operatorOf(p).account : session.operator.account,
    itemCode: text(p, 'service_item_code', withOperator, 64), itemName: text(p, 'service_item_name', withOperator),
    bizNum: text(p, 'biz_num', false, 128), clientIp: req.ip, correlationId: correlation(req),
  });
  const paging = (p: Record<string, unknown>) => ({
    index: intParam(p.page_index === undefined ? undefined : String(p.page_index), 1, 'page_index', 1, 1_000_000),
    size: intParam(p.page_size === undefined ? undefined : String(p.page_size), 10, 'page_size', 1, 150),
  });
  /** Licenses with their authorship (G.1-G.3 data_fields). */
  const licenses = async (certs: Certificate[]) => {
    const by = await s.certs.authorship(certs.map((c) => c.id));
    return certs.map((c) => license(c, by.get(c.id)));
  };
  const listing = async (l: { total: number; items: { certificate: Certificate; code: string; expires: number }[] }) => ({
    total_count: l.total,
    auth_codes: l.items.map((i) => i.code),
    // Every code of one listing expires at the same time.
    auth_code_expires_in: l.items[0] ? expiry(l.items[0].expires) : null,
    data: await licenses(l.items.map((i) => i.certificate)),
  });

  // Table 13 names the path psn_holder; example G.1 posts to /license/webpage. Both are served.
  for (const path of ['/license/psn_holder', '/license/webpage']) {
    app.post(path, route(async (req, session) => {
      const p = paramsOf(req.body);
      // 5.4.2.1 b: `credential` is the holder's real-name login token (实名登录凭据token), never their number:
      // the identity provider the node is configured with says whose it is. G.1's token_id and random
      // go with it; the provider's answer is the check, and they are kept in the use record.
      const credential = text(p, 'credential', true, 4096);
      const tokenId = text(p, 'token_id', false, 256);
      const random = text(p, 'random', false, 256);
      const ctx = context(req, session, 'psn_holder', p, false);
      const holder = await s.holderIdentity.holderOfAccessToken(credential);
      const audit = { ...ctx, context: { subject: holder.subject, ...(tokenId ? { tokenId } : {}), ...(random ? { random } : {}) } };
      return listing(await s.using.listForHolder(audit, holder.code, paging(p)));
    }));
  }

  app.post('/license/auth', route(async (req, session) => {
    const p = paramsOf(req.body);
    const ctx = context(req, session, 'auth', p, true);
    const show = text(p, 'show_sensitive_data', false, 8);
    if (show !== undefined && show !== 'true' && show !== 'false') throw new ArgumentError('show_sensitive_data 应为 true 或 false');
    const numbers = text(p, 'identity_number', true, 2048).split(',').map((x) => x.trim()).filter(Boolean);
    return listing(await s.using.listForItem(ctx, viewer(session), ctx.itemName!, numbers, show === 'true', paging(p)));
  }));

  app.get('/license/token', route(async (req, session) => {
    const q = req.query as Query;
    const code = text(q, 'auth_code', true, 4096);
    const grant = await s.using.accessToken(context(req, session, 'token', q, false), viewer(session), code);
    return { expires_in: expiry(grant.expires), license_access_token: grant.token };
  }));

  app.get('/license/get_license', route(async (req, session) => {
    const q = req.query as Query;
    const code = text(q, 'auth_code', true, 4096);
    return { data: (await licenses([await s.using.certificate(context(req, session, 'get_license', q, false), viewer(session), code)]))[0] };
  }));

  // Table 18 says GET; example H.1 POSTs a JSON body. Both are served, with the same parameters.
  const licenseByQr = (paramsFrom: (req: FastifyRequest) => Record<string, unknown>) => route(async (req, session) => {
    const p = paramsFrom(req);
    const ctx = context(req, session, 'get_license_qr', p, true);
    return { data: (await licenses([await s.using.certificate(ctx, viewer(session), text(p, 'auth_code_qr', true, 4096), ctx.itemName)]))[0] };
  });
  app.get('/license/get_license_qr', licenseByQr((req) => queryParamsOf(req.query)));
  app.post('/license/get_license_qr', licenseByQr((req) => paramsOf(req.body)));

  app.post('/license/get_token_qr', route(async (req, session) => {
    const p = paramsOf(req.body);
    const ctx = context(req, session, 'get_token_qr', p, true);
    const grant = await s.using.accessToken(ctx, viewer(session), text(p, 'auth_code_qr', true, 4096), ctx.itemName);
    return { data: { expires_in: expiry(grant.expires, false), license_access_token: grant.token } };
  }));

  app.post('/license/archive_qr', route(async (req, session) => {
    const p = paramsOf(req.body);
    const ctx = context(req, session, 'archive_qr', p, true);
    const org = text(p, 'service_item_org', true);
    const fileType = (text(p, 'file_type', false, 8) ?? 'PDF').toUpperCase();
    if (fileType !== 'PDF' && fileType !== 'OFD') throw new ArgumentError(`file_type 只能是 PDF 或 OFD（收到 ${fileType}）`);
    const format = fileType === 'OFD' ? 'ofd' : 'pdf';
    const file = await s.using.archive({ ...ctx, reason: `归档：${org}` }, viewer(session), text(p, 'auth_code_qr', true, 4096), ctx.itemName!, format);
    return { data: { file_name: file.fileName, file_data: file.bytes.toString('base64') } };
  }));
}
