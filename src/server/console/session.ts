import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleAuth, ConsoleAuthError } from '../../core/console-auth.js';
import type { ConsoleOperator, ConsoleRole } from '../../store/console-operators.js';
import { S } from './schemas.js';

export const SESSION_COOKIE = 'zz_console';
const COOKIE_PATH = '/console';

declare module 'fastify' {
  interface FastifyRequest { consoleOperator?: ConsoleOperator }
  interface FastifyContextConfig {
    /** Console roles that may call the route; by default every role may read and only administrators may write. */
    roles?: readonly ConsoleRole[];
  }
}

/** The cookie's value, by name, from the Cookie header (RFC 6265 5.4). */
export function cookieOf(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string, maxAge: number): void {
  // HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it; Secure over HTTPS (seed 002 5.4.4 a).
  const secure = req.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=${COOKIE_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`);
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Sign-in, the session behind every other console call, and CSRF protection: a call that changes
 * anything carries the session's CSRF token in `x-csrf-token` (a header no form of another site can
 * set); the sign-in itself accepts JSON only, which another origin cannot send without a preflight.
 */
export function consoleSessions(app: FastifyInstance, auth: ConsoleAuth): void {
  const open = new Set(['/console/api/session']);
  app.addHook('preHandler', async (req, reply) => {
    if (open.has(req.routeOptions.url ?? '')) return;
    const token = cookieOf(req, SESSION_COOKIE);
    const session = token ? await auth.session(token) : undefined;
    if (!session) return reply.code(401).send({ error: '会话已失效，请重新登录 (not signed in, or the session ended)' });
    if (WRITES.has(req.method) && req.headers['x-csrf-token'] !== session.csrfToken) {
      return reply.code(403).send({ error: 'CSRF token missing or wrong (x-csrf-token)' });
    }
    const roles = req.routeOptions.config.roles ?? (WRITES.has(req.method) ? ['administrator'] : ['administrator', 'issuer', 'auditor']);
    if (!roles.includes(session.operator.role)) return reply.code(403).send({ error: `无权限：需要角色 ${roles.join(' / ')} (not allowed for ${session.operator.role})` });
    req.consoleOperator = session.operator;
  });

  app.post<{ Body: { account: string; password: string } }>('/session', { schema: { body: S.signIn } }, async (req, reply) => {
    try {
      const s = await auth.signIn(req.body.account, req.body.password);
      setSessionCookie(req, reply, s.token, auth.policy.maxSeconds);
      return { operator: s.operator, csrfToken: s.csrfToken, idleSeconds: auth.policy.idleSeconds };
    } catch (err) {
      if (err instanceof ConsoleAuthError) return reply.code(err.problem === 'locked' ? 423 : 401).send({ error: err.message });
      throw err;
    }
  });

  app.get('/session', async (req) => {
    const token = cookieOf(req, SESSION_COOKIE);
    const s = token ? await auth.session(token) : undefined;
    // Not signed in is an answer here, not an error: the page asks this first, before any sign-in.
    if (!s) return { operator: null };
    return { operator: s.operator, csrfToken: s.csrfToken, idleSeconds: auth.policy.idleSeconds };
  });

  app.delete('/session', async (req, reply) => {
    const token = cookieOf(req, SESSION_COOKIE);
    if (token) await auth.signOut(token);
    setSessionCookie(req, reply, '', 0);
    return { signedOut: true };
  });
}
