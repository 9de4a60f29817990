import type { FastifyInstance } from 'fastify';
import type { Services } from '../../node/services.js';
import { withSession } from './handler.js';
import { dataFields, paramsOf, text, writeContext } from './params.js';

type ItemParams = { item_code: string };

/**
 * Issuing (6.4, appendix D) and lifecycle (6.5, appendix E): `/license/{item_code}/…`, where
 * item_code is the certificate type (license item) code. Each is a thin mapping onto the core's
 * IssuingService; the rules live there.
 */
export async function lifecycleRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const route = (fn: Parameters<typeof withSession>[1]) => withSession(s, fn);
  const typeOf = (req: { params: unknown }) => (req.params as ItemParams).item_code;

  app.post('/license/:item_code/create', route(async (req, session) => {
    const p = paramsOf(req.body);
    const ctx = writeContext(p, session, req, 'create');
    const fields = dataFields(p);
    const created = await s.issuing.create(typeOf(req), fields, ctx, { sealCode: text(p, 'seal_code', true, 64), licenseGroup: text(p, 'license_group', false, 64) });
    return { data: { license_code: created.id, auth_code: created.checkCode } };
  }));

  app.post('/license/:item_code/update', route(async (req, session) => {
    const p = paramsOf(req.body);
    const ctx = writeContext(p, session, req, 'update');
    const id = text(p, 'license_code', true, 128);
    await s.issuing.update(typeOf(req), id, dataFields(p), ctx, { sealCode: text(p, 'seal_code', false, 64), licenseGroup: text(p, 'license_group', false, 64) });
    return {};
  }));

  app.post('/license/:item_code/delete', route(async (req, session) => {
    const p = paramsOf(req.body);
    const ctx = writeContext(p, session, req, 'delete');
    await s.issuing.delete(typeOf(req), text(p, 'license_code', true, 128), ctx, text(p, 'id_code', false, 128));
    return {};
  }));

  // Table 8 lists id_code as required; E.1, the example, leaves it out. It is checked when given.
  app.post('/license/:item_code/sign', route(async (req, session) => {
    const p = paramsOf(req.body);
    const ctx = writeContext(p, session, req, 'sign');
    await s.issuing.sign(typeOf(req), text(p, 'license_code', true, 128), ctx, text(p, 'id_code', false, 128));
    return {};
  }));

  app.post('/license/:item_code/change', route(async (req, session) => {
    const p = paramsOf(req.body);
    const ctx = writeContext(p, session, req, 'change');
    const id = text(p, 'license_code', true, 128);
    const next = await s.issuing.change(typeOf(req), id, dataFields(p), ctx, text(p, 'id_code', false, 128));
    return { data: { license_code: next.id, auth_code: next.checkCode } };
  }));

  // Table 10 has no reason; `reason` is accepted as an extension and recorded (default 废止).
  app.post('/license/:item_code/abolish', route(async (req, session) => {
    const p = paramsOf(req.body);
    const ctx = writeContext(p, session, req, 'abolish');
    await s.issuing.abolish(typeOf(req), text(p, 'license_code', true, 128), ctx, text(p, 'reason', false, 256) ?? '废止', text(p, 'id_code', false, 128));
    return {};
  }));
}
