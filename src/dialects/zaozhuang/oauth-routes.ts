import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../node/services.js';
import { OAuthError, type TokenGrant } from '../../core/oauth.js';
import { ReturnCode, returnMessage } from '../../domain/return-codes.js';
import { installErrorEnvelope } from '../errors.js';

/**
 * A refused grant. RFC 6749 5.2 names the error (error, error_description), which OAuth2 client
 * libraries read; 3.15 says every answer carries a head, which clients written from this document
 * read. The answer has both, the head in the failure form of 4.3.2.
 */
function refusal(error: string, code: ReturnCode, detail: string) {
  return { error, error_description: detail, head: { message: '接口调用失败！', status: code }, data: `${returnMessage(code)}: ${detail}` };
}

/** The OAuth2 error, its HTTP status (RFC 6749 5.2), the 5.2 code and the explanation, for each refusal. */
const REFUSALS: Readonly<Record<string, [number, string, ReturnCode, string]>> = {
  'invalid-client': [401, 'invalid_client', ReturnCode.AuthFailed, 'client_id 或 client_secret 不正确'],
  'invalid-grant': [400, 'invalid_grant', ReturnCode.AuthFailed, '用户名或密码不正确'],
  'locked': [400, 'invalid_grant', ReturnCode.AuthFailed, '密码错误次数过多，账号已临时锁定'],
  'expired-grant': [400, 'invalid_grant', ReturnCode.AuthFailed, 'refresh_token 已过期'],
  'revoked-grant': [400, 'invalid_grant', ReturnCode.AuthFailed, 'refresh_token 已使用或已撤销'],
  'invalid-scope': [400, 'invalid_scope', ReturnCode.AuthFailed, 'scope 超出授权范围'],
};

/**
 * 4.3.1 用户身份验证接口: POST {root}/oauth/token with client_id, client_secret, grant_type, scope,
 * username, password, answering access_token (12 hours), token_type bearer, refresh_token,
 * expires_in and scope. grant_type refresh_token (RFC 6749 6) renews a token. Parameters may come
 * as a form, as JSON or in the query string, as OAuth2 servers commonly accept them; client
 * credentials also by HTTP Basic authentication (RFC 6749 2.3.1).
 */
export async function oauthRoutes(app: FastifyInstance, s: Services): Promise<void> {
  installErrorEnvelope(app, (kind, detail) => {
    switch (kind) {
      case 'too-large': return refusal('invalid_request', ReturnCode.Other, detail);
      case 'not-found': return refusal('invalid_request', ReturnCode.ServiceNotProvided, detail);
      case 'internal': return refusal('server_error', ReturnCode.Other, detail);
      // RFC 6749 names no rate-limit error at the token endpoint; temporarily_unavailable (4.1.2.1) is the closest, with 99 其他异常.
      case 'too-many': return refusal('temporarily_unavailable', ReturnCode.Other, detail);
      default: return refusal('invalid_request', ReturnCode.Unparseable, detail);
    }
  });

  app.post('/token', async (req: FastifyRequest, reply: FastifyReply) => {
    const p = paramsOf(req);
    const send = (status: number, body: unknown) => reply.code(status).header('cache-control', 'no-store').header('pragma', 'no-cache').send(body);
    const grantType = p.grant_type;
    const required = grantType === 'refresh_token' ? ['client_id', 'client_secret', 'grant_type', 'refresh_token'] : ['client_id', 'client_secret', 'grant_type', 'scope', 'username', 'password'];
    const missing = required.filter((k) => !p[k]);
    if (missing.length > 0) return send(400, refusal('invalid_request', ReturnCode.RequiredMissing, missing.join(', ')));
    if (grantType !== 'password' && grantType !== 'refresh_token') {
      return send(400, refusal('unsupported_grant_type', ReturnCode.Unparseable, `grant_type 应为 password 或 refresh_token，收到 ${grantType}`));
    }
    try {
      const grant = grantType === 'password'
        ? await s.oauth.passwordGrant({ clientId: p.client_id!, clientSecret: p.client_secret!, username: p.username!, password: p.password!, scope: p.scope })
        : await s.oauth.refreshGrant({ clientId: p.client_id!, clientSecret: p.client_secret!, refreshToken: p.refresh_token!, scope: p.scope });
      return send(200, tokenResponse(grant));
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      const [status, error, code, text] = REFUSALS[err.problem] ?? [400, 'invalid_request', ReturnCode.AuthFailed, err.problem];
      const detail = err.problem === 'invalid-scope' ? `${text}: ${err.detail}` : err.problem === 'invalid-grant' && err.detail === 'refresh_token' ? 'refresh_token 无效' : text;
      if (status === 401) reply.header('www-authenticate', 'Basic realm="license-api-release"');
      return send(status, refusal(error, code, detail));
    }
  });
}

/** 4.3.1's answer, in its order. */
function tokenResponse(g: TokenGrant) {
  return { access_token: g.accessToken, token_type: g.tokenType, refresh_token: g.refreshToken, expires_in: g.expiresIn, scope: g.scope };
}

/** Query, then body (form or JSON) over it, then Basic credentials for the client when the body names none. */
function paramsOf(req: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const take = (o: unknown) => {
    if (!o || typeof o !== 'object' || Array.isArray(o)) return;
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
      if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
      else if (typeof v === 'number' && Number.isFinite(v)) out[k] = String(v);
    }
  };
  take(req.query);
  take(req.body);
  const auth = req.headers.authorization;
  if (auth && /^basic\s+/i.test(auth) && !out.client_id) {
    const [id, ...rest] = Buffer.from(auth.replace(/^basic\s+/i, ''), 'base64').toString('utf8').split(':');
    out.client_id = formDecode(id ?? '') || undefined;
    out.client_secret = formDecode(rest.join(':')) || undefined;
  }
  return out;
}

/** RFC 6749 2.3.1 form-encodes the Basic credentials; a malformed escape is taken literally. */
function formDecode(v: string): string {
  try {
    return decodeURIComponent(v.replaceAll('+', ' '));
  } catch {
    return v;
  }
}
