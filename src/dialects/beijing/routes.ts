import type { FastifyInstance } from 'fastify';
import type { Services } from '../../node/services.js';
import type { CertificateType, TypeStatus } from '../../domain/model.js';
import { installErrorEnvelope } from '../errors.js';
import { BeijingErrors, failure, success } from './envelope.js';
import { ArgumentError, correlation, dialectError, intParam, refuse, withSession, type Query } from './handler.js';
import { usageRoutes } from './usage-routes.js';
import { batchRoutes } from './batch-routes.js';
import { lifecycleRoutes } from './lifecycle-routes.js';

/** `{API_ROOT}` of seed 002. */
export const BEIJING_API_ROOT = '/beijing/api';

/** LicenseItemStatus ↔ the catalog's status. */
const STATUS_NAMES: Record<TypeStatus, string> = { draft: 'DRAFT', published: 'PUBLISH', withdrawn: 'WITHDRAW' };
const STATUS_OF = Object.fromEntries(Object.entries(STATUS_NAMES).map(([k, v]) => [v, k])) as Record<string, TypeStatus>;

/** The Beijing issuing-side interfaces (seed 002): security session (6.2), catalog (6.3), issuing and lifecycle (6.4-6.6). */
export async function beijingDialect(app: FastifyInstance, s: Services): Promise<void> {
  installErrorEnvelope(app, (kind, detail) => failure(undefined, kind === 'too-large' ? BeijingErrors.tooLarge()
    : kind === 'not-found' ? BeijingErrors.notFound(detail)
      : kind === 'internal' ? BeijingErrors.internal()
        : kind === 'too-many' ? BeijingErrors.tooMany() : BeijingErrors.invalidArgument(detail)));

  const sessionRoute = (fn: Parameters<typeof withSession>[1]) => withSession(s, fn);

  app.post('/security/login', async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const missing = ['app_key', 'app_secret', 'account', 'password'].filter((k) => typeof b[k] !== 'string' || !(b[k] as string));
    if (missing.length > 0) return refuse(reply, req, 400, BeijingErrors.invalidArgument(`${missing.join(', ')} 必填`));
    if (b.org_code !== undefined && typeof b.org_code !== 'string') return refuse(reply, req, 400, BeijingErrors.invalidArgument('org_code 应为字符串'));
    try {
      const token = await s.sessions.login(b.app_key as string, b.app_secret as string, b.account as string, b.password as string, b.org_code as string | undefined);
      return success(correlation(req), { access_token: token });
    } catch (err) {
      const known = dialectError(err);
      if (known) return refuse(reply, req, known[0], known[1]);
      throw err;
    }
  });

  app.post('/security/logout', sessionRoute(async (_req, _session, token) => {
    await s.sessions.logout(token);
    return {};
  }));

  app.get('/security/get_current_user', sessionRoute(async (_req, { operator: o }) => ({
    data: {
      account: o.account, name: o.name, identity_num: o.identityNum ?? '', role: o.role ?? '', division: o.division ?? '',
      division_code: o.divisionCode ?? '', service_org: o.serviceOrg ?? '', creator: o.creator ?? '',
      creation_time: dateOf(o.createdAt), last_modificator: o.modifier ?? '', last_modification_time: dateOf(o.modifiedAt),
    },
  })));

  app.get('/license_item/list', sessionRoute(async (req) => {
    const q = req.query as Query;
    const pageIndex = intParam(q.page_index, 1, 'page_index', 1, 1_000_000);
    const pageSize = intParam(q.page_size, 10, 'page_size', 1, 150);
    const statuses = (q.status ?? 'PUBLISH').split(',').map((x) => x.trim()).filter(Boolean);
    const unknown = statuses.filter((x) => !STATUS_OF[x]);
    if (unknown.length > 0) throw new ArgumentError(`status 取值为 ${Object.values(STATUS_NAMES).join(', ')}，收到 ${unknown.join(', ')}`);
    if (q.is_open !== undefined && q.is_open !== 'true' && q.is_open !== 'false') throw new ArgumentError('is_open 应为 true 或 false');
    const isOpen = q.is_open !== 'false';
    const keyword = q.keyword?.trim();
    const wanted = new Set(statuses.map((x) => STATUS_OF[x]));
    const all = (await s.catalog.list()).filter((t) => wanted.has(t.status) && t.isOpen === isOpen &&
      (!keyword || t.name.includes(keyword) || (t.defineAuthorityName ?? '').includes(keyword)));
    const page = all.slice((pageIndex - 1) * pageSize, pageIndex * pageSize);
    return { total_count: all.length, data: page.map(licenseItem) };
  }));

  await lifecycleRoutes(app, s);
  await usageRoutes(app, s);
  await batchRoutes(app, s);
}


const dateOf = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** LicenseItem: the seed elides its fields after license_item_code; these follow the catalog model. */
function licenseItem(t: CertificateType) {
  return {
    license_item_code: t.code,
    license_item_name: t.name,
    define_org_name: t.defineAuthorityName ?? '',
    define_org_code: t.defineAuthorityCode ?? '',
    holder_category: t.holderCategory ?? '',
    validity_range: t.validityRange ?? '',
    status: STATUS_NAMES[t.status],
    is_open: t.isOpen,
    // role: what issuing reads from the field (holderName, holderCode, number, …); empty for plain surface fields.
    fields: t.fields.map((f) => ({ column_name: f.columnName, name: f.name, value_type: f.valueType, required: f.required, sensitive: f.sensitive, role: f.role ?? '' })),
  };
}
