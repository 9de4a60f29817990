import type { FastifyInstance } from 'fastify';
import type { Services } from '../../node/services.js';
import type { ConsoleAuth } from '../../core/console-auth.js';
import type { AccountScheme } from '../../store/accounts.js';
import type { ConsoleRole } from '../../store/console-operators.js';
import { S } from './schemas.js';

const notFound = (what: string) => Object.assign(new Error(`${what} not found`), { statusCode: 404 });

/**
 * Access (接入管理, seed 002 5.2 c-e): the calling systems of every dialect, and the console's own
 * operators. Reading is for every role; changes are the administrator's. A secret is in the answer
 * that creates it and never again.
 */
export function accessRoutes(app: FastifyInstance, s: Services, auth: ConsoleAuth): void {
  // Sichuan (DB51/T 2942 6.6): registrations wait for an administrator's approval (接入核准).
  app.get('/registrations', async () => s.registrations.list());
  app.post<{ Params: { id: string; decision: string } }>('/registrations/:id/:decision', async (req) => {
    const status = ({ approve: 'approved', reject: 'rejected' } as const)[req.params.decision as 'approve' | 'reject'];
    if (!status) throw Object.assign(new Error('decision: approve or reject'), { statusCode: 404 });
    if (!(await s.registrations.get(req.params.id))) throw notFound(`registration ${req.params.id}`);
    return s.registrations.decide(req.params.id, status);
  });

  // YRD trusted apps (seed 004 5.2, table 8).
  app.get('/trusted-apps', async () => s.trustedApps.list());
  app.post<{ Body: { name: string } }>('/trusted-apps', { schema: { body: S.named } }, async (req) => s.trustedApps.add(req.body.name));
  app.post<{ Params: { id: string; action: string } }>('/trusted-apps/:id/:action', async (req) => {
    const { id, action } = req.params;
    if (action !== 'disable' && action !== 'enable') throw Object.assign(new Error('action: enable or disable'), { statusCode: 404 });
    const updated = await s.trustedApps.setDisabled(id, action === 'disable');
    if (!updated) throw notFound(`trusted app ${id}`);
    return updated;
  });

  // National accounts (ZWFW C 0124 5.2).
  app.get('/accounts', async () => s.accounts.list());
  app.post<{ Body: { id: string; name: string; scheme?: AccountScheme; ips?: string[] } }>('/accounts', { schema: { body: S.newAccount } },
    async (req) => s.accounts.create({ id: req.body.id, name: req.body.name, scheme: req.body.scheme ?? 'hmac-sm3', allowedIps: req.body.ips ?? [] }));

  // Beijing calling systems (app_key / app_secret) and their operators (UserInfo).
  app.get('/apps', async () => s.sessions.listApps());
  app.post<{ Body: { name: string } }>('/apps', { schema: { body: S.named } }, async (req) => s.sessions.addApp(req.body.name));
  app.get('/beijing-operators', async () => (await s.sessions.listOperators()).map((o) => ({ ...o, identityNum: o.identityNum ? '******' : undefined })));

  // Zaozhuang OAuth2 clients and users (DB3704/T 0042).
  app.get('/oauth-clients', async () => s.oauth.listClients());
  app.post<{ Body: { clientId: string; name: string; scopes?: string[] } }>('/oauth-clients', { schema: { body: S.newOAuthClient } }, async (req) => s.oauth.addClient(req.body));
  app.get('/oauth-users', async () => s.oauth.listUsers());

  // The console's operators.
  app.get('/operators', async () => auth.repo.list());
  app.post<{ Body: { account: string; name: string; role: ConsoleRole; orgCode?: string; orgName?: string; password: string } }>(
    '/operators', { schema: { body: S.newOperator } }, async (req, reply) => {
      const made = await auth.addOperator(req.body);
      if (!made) return reply.code(409).send({ error: `operator ${req.body.account} exists` });
      return made;
    });
}
