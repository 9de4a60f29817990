import { stat } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { verifyLogLocally } from '../core/log-verify.js';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../node/services.js';
import type { AccountScheme } from '../store/accounts.js';
import type { NewType } from '../core/catalog.js';
import type { TypeStatus } from '../domain/model.js';
import type { Operator } from '../store/operators.js';
import type { ServiceItem } from '../store/service-items.js';
import type { NewSeal } from '../core/seals.js';
import type { RegistrationStatus } from '../store/registrations.js';
import type { NewOAuthUser } from '../core/oauth.js';
import type { NewMemberNode } from '../federation/registry.js';
import { syncTypes } from '../federation/sync-types.js';
import { addMemberNode, removeMemberNode } from '../federation/members.js';
import { adminKeyRoutes } from './admin-keys.js';
import { AdminLifecycleError, type AdminActor } from '../core/lifecycle-admin.js';
import { requireBearer } from './bearer.js';
import { ConsoleAuth } from '../core/console-auth.js';

type NewOperator = Omit<Operator, 'createdAt' | 'modifiedAt'> & { password: string };
type NewConsoleOperator = Parameters<ConsoleAuth['addOperator']>[0];

/**
 * The admin API, for operators who are not on the node's machine (and for the console): the same
 * actions as the command line. Authenticated by a bearer credential the node keeps in its data
 * directory (`secrets/admin-token`, or ZHENGZHAO_ADMIN_TOKEN).
 */
export async function adminRoutes(app: FastifyInstance, opts: { services: Services; token: string }): Promise<void> {
  const s = opts.services;
  app.addHook('onRequest', requireBearer(opts.token));
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
    reply.code(status).send({ error: err.message });
  });

  app.post<{ Body: { id?: string; name?: string; scheme?: AccountScheme; ips?: string[] } }>('/accounts', async (req) => {
    const b = req.body ?? {};
    if (!b.id || !b.name) throw Object.assign(new Error('id and name are required'), { statusCode: 400 });
    return s.accounts.create({ id: b.id, name: b.name, scheme: b.scheme ?? 'hmac-sm3', allowedIps: b.ips ?? [] });
  });

  app.get('/accounts', async () => s.accounts.list());

  app.get<{ Querystring: { status?: RegistrationStatus } }>('/registrations', async (req) => s.registrations.list(req.query.status));
  app.post<{ Params: { id: string; decision: string } }>('/registrations/:id/:decision', async (req) => {
    const status = ({ approve: 'approved', reject: 'rejected' } as const)[req.params.decision as 'approve' | 'reject'];
    if (!status) throw Object.assign(new Error('approve or reject'), { statusCode: 404 });
    return s.registrations.decide(req.params.id, status);
  });

  app.post<{ Body: { name?: string } }>('/apps', async (req) => {
    if (!req.body?.name) throw Object.assign(new Error('name is required'), { statusCode: 400 });
    return s.sessions.addApp(req.body.name);
  });
  app.post<{ Body: NewOperator }>('/users', async (req) => s.sessions.addOperator(req.body, req.body.password));

  // The operator console's operators (docs/console.md): how a node without the demo gets its first administrator.
  const consoleAuth = new ConsoleAuth(s.db);
  app.get('/console-operators', async () => consoleAuth.repo.list());
  app.post<{ Body: NewConsoleOperator }>('/console-operators', async (req) => {
    const made = await consoleAuth.addOperator(req.body ?? ({} as NewConsoleOperator));
    if (!made) throw Object.assign(new Error(`operator ${req.body.account} exists`), { statusCode: 409 });
    return made;
  });

  app.post<{ Body: { clientId: string; name: string; secret?: string; scopes?: string[] } }>('/oauth-clients', async (req) => s.oauth.addClient(req.body));
  app.get('/oauth-clients', async () => s.oauth.listClients());
  app.post<{ Body: NewOAuthUser }>('/oauth-users', async (req) => s.oauth.addUser(req.body));
  app.get('/oauth-users', async () => s.oauth.listUsers());
  app.post<{ Params: { username: string } }>('/oauth-users/:username/revoke', async (req) => ({ revoked: await s.oauth.revokeUser(req.params.username) }));

  app.get<{ Querystring: { status?: TypeStatus } }>('/types', async (req) => s.catalog.list(req.query.status));
  app.post<{ Body: NewType }>('/types', async (req) => s.catalog.add(req.body));
  app.post<{ Params: { code: string }; Body: { status: TypeStatus } }>('/types/:code/status', async (req) => s.catalog.setStatus(req.params.code, req.body.status));
  app.put<{ Params: { code: string }; Body: { layout: unknown } }>('/types/:code/layout', async (req) => s.catalog.setLayout(req.params.code, req.body?.layout ?? undefined));

  app.post<{ Body: { name?: string } }>('/trusted-apps', async (req) => s.trustedApps.add(req.body?.name ?? ''));
  app.get('/trusted-apps', async () => s.trustedApps.list());
  app.post<{ Params: { id: string; action: string } }>('/trusted-apps/:id/:action', async (req) => {
    const { id, action } = req.params;
    if (action !== 'disable' && action !== 'enable') throw Object.assign(new Error('disable or enable'), { statusCode: 404 });
    const updated = await s.trustedApps.setDisabled(id, action === 'disable');
    if (!updated) throw Object.assign(new Error(`no trusted app ${id}`), { statusCode: 404 });
    return updated;
  });
  app.post<{ Params: { id: string } }>('/trusted-tokens/:id/revoke', async (req) => {
    await s.trustedAccess.revoke(req.params.id);
    return { tokenId: req.params.id, revoked: true };
  });

  app.get('/items', async () => s.items.list());
  app.post<{ Body: ServiceItem }>('/items', async (req) => s.items.add(req.body));

  app.get('/seals', async () => s.seals.list());
  app.post<{ Body: NewSeal }>('/seals', async (req) => s.seals.add(req.body ?? {}));

  // The operator's lifecycle actions (the command line's `certificates suspend|resume|abolish`).
  type LifecycleBody = { Params: { id: string }; Body: { reason?: string; operator?: string } | undefined };
  const actor = (body: LifecycleBody['Body']): AdminActor => ({ account: body?.operator || 'admin', via: 'admin-api' });
  const lifecycle = (fn: (id: string, reason: string, by: AdminActor) => Promise<unknown>) => async (req: { params: { id: string }; body: LifecycleBody['Body'] }) => {
    try {
      return await fn(req.params.id, req.body?.reason ?? '', actor(req.body));
    } catch (err) {
      if (err instanceof AdminLifecycleError) Object.assign(err, { statusCode: err.problem === 'not-found' ? 404 : err.problem === 'no-reason' ? 400 : 409 });
      throw err;
    }
  };
  app.post<LifecycleBody>('/certificates/:id/suspend', lifecycle((id, reason, by) => s.lifecycle.suspend(id, reason, by)));
  app.post<LifecycleBody>('/certificates/:id/resume', lifecycle((id, reason, by) => s.lifecycle.resume(id, reason, by)));
  app.post<LifecycleBody>('/certificates/:id/abolish', lifecycle((id, reason, by) => s.lifecycle.abolish(id, reason, by)));

  app.get<{ Querystring: { holder?: string; since?: string; limit?: string } }>('/usage', async (req) => {
    const q = req.query;
    return s.usage.list({ holderCode: q.holder, since: q.since ? new Date(q.since) : undefined, limit: q.limit ? Number(q.limit) : undefined });
  });

  app.get('/log/verify', async () => verifyLogLocally(s.db));

  app.get('/nodes', async () => s.nodes.list());
  app.post<{ Body: NewMemberNode }>('/nodes', async (req) => addMemberNode(s, req.body ?? ({} as NewMemberNode)));
  app.delete<{ Params: { dataSource: string } }>('/nodes/:dataSource', async (req) => {
    if (!(await removeMemberNode(s, req.params.dataSource))) throw Object.assign(new Error(`no node ${req.params.dataSource}`), { statusCode: 404 });
    return { removed: req.params.dataSource };
  });
  app.post('/sync-types', async () => syncTypes(s));
  await app.register(adminKeyRoutes, { services: s });

  /** Streams NDJSON: progress and rejection lines while it runs, then the report. */
  app.post<{ Body: { path?: string; files?: boolean } }>('/import', async (req, reply) => {
    const path = req.body?.path;
    if (!path) throw Object.assign(new Error('path is required'), { statusCode: 400 });
    const size = (await stat(path)).size;
    const out = new PassThrough();
    reply.header('content-type', 'application/x-ndjson').send(out);
    const { importer, close } = s.importer();
    importer
      .importFile(path, size, {
        onProgress: (p) => out.write(JSON.stringify({ progress: p }) + '\n'),
        onReject: (r) => out.write(JSON.stringify({ reject: r }) + '\n'),
        makeFiles: req.body?.files !== false,
      })
      .then((report) => out.end(JSON.stringify({ report }) + '\n'))
      .catch((err: Error) => out.end(JSON.stringify({ error: err.message }) + '\n'))
      .finally(() => void close());
    return reply;
  });

  // Catalog aggregation (ZWFW C 0124 5.3) run by the node itself, its progress streamed.
  app.post('/aggregate', async (_req, reply) => {
    const out = new PassThrough();
    reply.header('content-type', 'application/x-ndjson').send(out);
    s.aggregator.run({ onProgress: (p) => out.write(JSON.stringify({ progress: p }) + '\n') })
      .then((summary) => out.end(JSON.stringify({ summary }) + '\n'))
      .catch((err: Error) => out.end(JSON.stringify({ error: err.message }) + '\n'));
    return reply;
  });
  app.get<{ Querystring: { batch?: string; limit?: string } }>('/aggregate/report', async (req) =>
    s.aggregator.report({ batch: req.query.batch, limit: req.query.limit ? Number(req.query.limit) : undefined }));
  app.get<{ Querystring: { all?: string } }>('/errors', async (req) => s.frontErrors.list({ all: req.query.all === 'true' }));
  app.post<{ Body: { ids?: string[]; errors?: boolean; all?: boolean } }>('/rereport', async (req) => {
    const b = req.body ?? {};
    return s.frontErrors.rereport(b.all ? { all: true } : b.errors ? { errors: true } : { ids: b.ids ?? [] });
  });
}
