import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import type { Services } from '../../node/services.js';
import { HolderAuthError } from '../../core/holder-identity.js';
import { HolderPortalError } from '../../core/holder-portal.js';
import { PortalSessions, type PortalSession } from '../../core/portal-sessions.js';
import { ConsentError } from '../../core/trusted-access/consents.js';
import { allowsOperation, allowsType, OPERATIONS, parsePermission } from '../../core/trusted-access/permission.js';
import { codeImage } from '../../core/qr-images.js';
import { maskValue } from '../../domain/mask.js';
import { CopyError } from '../../core/certificate-files.js';
import { SCHEMAS } from './schemas.js';

export const PORTAL_API = '/portal/api';
const COOKIE = 'zz_portal';
const CSRF_HEADER = 'x-csrf-token';

/** An answer the portal shows in place: `{error: {code, message}}` with its HTTP status. */
class PortalRefusal extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); }
}

declare module 'fastify' {
  interface FastifyRequest { portalSession?: PortalSession }
}

/**
 * The holder portal's API (docs/portal.md): sign-in through the node's OpenID Connect provider, a
 * session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS), a CSRF token every change must send
 * back in X-CSRF-Token, and only the signed-in holder's own data. Bodies are checked against the
 * JSON schemas in schemas.ts; every refusal is `{error:{code,message}}`, never a stack trace.
 */
export async function portalRoutes(app: FastifyInstance, s: Services): Promise<void> {
  await app.register(cookie);
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('cache-control', 'no-store').header('content-security-policy', "default-src 'none'; frame-ancestors 'none'").header('x-content-type-options', 'nosniff');
    return payload;
  });
  app.setErrorHandler((err: Error & { validation?: unknown; statusCode?: number }, req, reply) => {
    if (err instanceof PortalRefusal) return reply.code(err.status).send({ error: { code: err.code, message: err.message } });
    if (err instanceof HolderAuthError) {
      const status = err.problem === 'provider-unreachable' ? 503 : err.problem === 'not-configured' ? 403 : 401;
      return reply.code(status).send({ error: { code: `login-${err.problem}`, message: `登录失败：${err.message}` } });
    }
    if (err instanceof ConsentError) return reply.code(err.problem === 'not-found' ? 404 : 409).send({ error: { code: err.problem, message: consentMessage(err) } });
    if (err instanceof HolderPortalError) return reply.code(err.problem === 'not-found' ? 404 : 409).send({ error: { code: err.problem, message: err.message } });
    if (err instanceof CopyError) return reply.code(400).send({ error: { code: 'bad-purpose', message: `用途不符合要求：${err.message}` } });
    if (err.validation) return reply.code(400).send({ error: { code: 'bad-request', message: `请求不符合要求：${err.message}` } });
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error: { code: 'bad-request', message: err.message } });
    req.log.error({ err }, 'portal failure');
    return reply.code(500).send({ error: { code: 'internal', message: '服务暂时不可用，请稍后再试' } });
  });

  const secure = s.cfg.tls !== undefined || (s.cfg.publicUrl ?? '').startsWith('https:');
  const cookieOptions = { path: '/portal', httpOnly: true, sameSite: 'lax' as const, secure };

  /** The signed-in holder, or 401; a change (any method but GET) must carry the session's CSRF token and come from this origin. */
  const signedIn = async (req: FastifyRequest) => {
    const session = await s.portalSessions.get(req.cookies[COOKIE]);
    if (!session) throw new PortalRefusal(401, 'not-signed-in', '请先登录（会话不存在或已超时）');
    if (req.method !== 'GET') {
      const origin = req.headers.origin;
      if (origin !== undefined && new URL(origin).host !== req.host) throw new PortalRefusal(403, 'csrf', '请求来源不符');
      if (!PortalSessions.csrfHolds(session, req.headers[CSRF_HEADER] as string | undefined)) throw new PortalRefusal(403, 'csrf', '缺少或错误的 CSRF 令牌，请刷新页面');
    }
    req.portalSession = session;
  };
  const holderOf = (req: FastifyRequest) => req.portalSession!.holder;

  // Without a reachable provider the page says so in place (a redirect with the reason), not a server error.
  app.get('/login', async (_req, reply) => {
    try {
      return reply.redirect(await s.portalSessions.begin());
    } catch (err) {
      if (err instanceof HolderAuthError) return reply.redirect(`/portal/?error=${encodeURIComponent(`无法登录：${err.message}`)}`);
      throw err;
    }
  });

  app.get('/callback', async (req, reply) => {
    const url = new URL(req.url, s.holderIdentity.baseUrl);
    if (url.searchParams.get('error')) return reply.redirect(`/portal/?error=${encodeURIComponent(url.searchParams.get('error_description') ?? url.searchParams.get('error')!)}`);
    try {
      const value = await s.portalSessions.finish(url);
      return reply.setCookie(COOKIE, value, cookieOptions).redirect('/portal/');
    } catch (err) {
      if (err instanceof HolderAuthError) return reply.redirect(`/portal/?error=${encodeURIComponent(err.message)}`);
      throw err;
    }
  });

  app.post('/logout', { preHandler: signedIn }, async (req, reply) => {
    await s.portalSessions.end(req.cookies[COOKIE]);
    return reply.clearCookie(COOKIE, cookieOptions).send({ ok: true });
  });

  // Whether anyone is signed in is not an error: the page asks this first, and a signed-out visitor gets signedIn false.
  app.get('/me', { schema: { response: { 200: SCHEMAS.me } } }, async (req) => {
    const session = await s.portalSessions.get(req.cookies[COOKIE]);
    if (!session) return { signedIn: false };
    const h = session.holder;
    return { signedIn: true, name: h.name ?? '', idNumber: maskValue(h.code), csrf: session.csrf, idleSeconds: s.cfg.sessionIdleSeconds };
  });

  app.get('/certificates', { preHandler: signedIn }, async (req) => {
    const list = await s.holderPortal.certificates(holderOf(req));
    return {
      certificates: list.map(({ certificate: c, state, stateReason }) => ({
        id: c.id, name: c.name, typeName: c.typeName, number: c.number, holderName: c.holder.name, issuer: c.issuer.name,
        issueDate: c.issueDate, validFrom: c.validFrom ?? null, validTo: c.validTo ?? null, state, stateReason: stateReason ?? null,
        fields: c.surface.filter((v) => v.valueType !== 'picture').map((v) => ({ name: v.name, value: v.value })),
      })),
    };
  });

  app.get<{ Params: { id: string } }>('/certificates/:id/original', { preHandler: signedIn }, async (req, reply) => {
    const f = await s.holderPortal.file(holderOf(req), req.params.id, undefined);
    return sendPdf(reply, f);
  });

  app.post<{ Params: { id: string }; Body: { purpose: string } }>('/certificates/:id/copy', { preHandler: signedIn, schema: { body: SCHEMAS.copyBody } }, async (req, reply) => {
    const purpose = req.body.purpose.trim();
    if (!purpose) throw new PortalRefusal(400, 'bad-purpose', '请填写用途');
    return sendPdf(reply, await s.holderPortal.file(holderOf(req), req.params.id, purpose));
  });

  app.post('/service-code', { preHandler: signedIn, schema: { response: { 200: SCHEMAS.serviceCode } } }, async (req) => {
    const c = s.holderPortal.serviceCode(holderOf(req));
    const png = await codeImage(c.serviceCode, 'qr');
    return { qrcode: c.serviceCode, image: `data:image/png;base64,${png.toString('base64')}`, expiresAt: new Date(c.expiresAt * 1000).toISOString(), ttlSeconds: s.cfg.yrd.serviceCodeTtlSeconds };
  });

  app.get('/requests', { preHandler: signedIn }, async (req) => {
    const h = holderOf(req);
    const [requests, certs] = await Promise.all([s.consents.forHolder(h.code), s.holderPortal.certificates(h)]);
    return {
      requests: requests.map((r) => {
        const perm = parsePermission(r.permission);
        const p = perm.ok ? perm.permission : { operations: new Set<never>(), types: new Set<string>() };
        // What approval would release: the holder's usable certificates of a type both the permission and the item allow.
        const released = certs.filter(({ certificate: c, state }) => state === 'usable' && allowsType(p, c.typeCode) && r.itemTypeCodes.includes(c.typeCode));
        return {
          id: r.id, app: r.appName, itemCode: r.itemCode, itemName: r.itemName, itemOrg: r.itemOrg, purpose: r.purpose, status: r.status,
          operations: OPERATIONS.filter((op) => allowsOperation(p, op)), validSeconds: r.validSeconds, createdAt: r.createdAt, requestExpires: r.requestExpires,
          decidedAt: r.decidedAt ?? null, tokenExpires: r.tokenExpires ?? null,
          certificates: released.map(({ certificate: c }) => ({ id: c.id, name: c.name, number: c.number, fields: c.surface.map((v) => v.name) })),
        };
      }),
    };
  });

  for (const action of ['approve', 'refuse', 'revoke'] as const) {
    app.post<{ Params: { id: string } }>(`/requests/:id/${action}`, { preHandler: signedIn }, async (req) => {
      const r = await s.consents[action](holderOf(req).code, req.params.id);
      return { id: r.id, status: r.status, tokenExpires: r.tokenExpires ?? null };
    });
  }

  app.get<{ Querystring: { limit?: string } }>('/uses', { preHandler: signedIn, schema: { querystring: SCHEMAS.usesQuery } }, async (req) => {
    const uses = await s.holderPortal.uses(holderOf(req), Number(req.query.limit ?? 100));
    return {
      uses: uses.map(({ use: u, log }) => ({
        id: u.id, at: u.at, interface: `${u.dialect}/${u.interface}`, organisation: u.context?.itemOrg ?? u.context?.corpName ?? null, system: u.accountId,
        operator: u.operator, itemCode: u.itemCode, itemName: u.itemName, reason: u.reason, result: u.resultCode, certificateIds: u.certificateIds,
        log: log.state === 'included' ? { state: 'included', index: log.proof.index, size: log.proof.size, leafHash: log.proof.leafHash, proof: log.proof.proof } : { state: log.state },
      })),
    };
  });

  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: { code: 'not-found', message: '没有这个接口' } }));
}

function sendPdf(reply: FastifyReply, f: { bytes: Buffer; fileName: string }) {
  return reply.type('application/pdf').header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.fileName)}`).send(f.bytes);
}

function consentMessage(err: ConsentError): string {
  if (err.problem === 'not-found') return '没有这个授权请求';
  const state = /is (\w+)/.exec(err.message)?.[1] ?? '';
  const zh: Record<string, string> = { approved: '已同意', refused: '已拒绝或已过期', revoked: '已撤销', pending: '待处理' };
  return `该请求${zh[state] ?? state}，不能再这样处理`;
}
