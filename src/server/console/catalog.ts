import type { FastifyInstance } from 'fastify';
import type { Services } from '../../node/services.js';
import type { NewType } from '../../core/catalog.js';
import type { Certificate, CertificateType, TypeStatus } from '../../domain/model.js';
import { layOut, parseLayoutTemplate } from '../../domain/layout-template.js';
import { renderCertificatePdf } from '../../files/pdf-render.js';
import { S } from './schemas.js';

const SAMPLE_DATE = '2024-01-01';

/** A certificate of the type with a sample value in every field, for the layout preview. */
function sampleOf(t: CertificateType): Certificate {
  return {
    id: 'PREVIEW', typeCode: t.code, typeName: t.name, name: t.name, number: 'No.0000001', status: 'issued', version: 1,
    holder: { name: '张三', code: '110105199001011234', codeType: '111' },
    issuer: { name: t.defineAuthorityName ?? '发证机关', code: t.defineAuthorityCode ?? t.code.slice(0, 18) },
    issueDate: SAMPLE_DATE, validFrom: SAMPLE_DATE, validTo: '2034-01-01',
    surface: t.fields.filter((f) => f.valueType !== 'picture').map((f) => ({ columnName: f.columnName, name: f.name, valueType: f.valueType, value: `〔${f.name}〕` })),
    detail: [],
  };
}

/** The catalog (证照目录, ZWFW C 0123): types with their fields, the layout template, publish and withdraw. */
export function catalogRoutes(app: FastifyInstance, s: Services): void {
  const typeOf = async (code: string) => {
    const t = await s.types.get(code);
    if (!t) throw Object.assign(new Error(`证照类型 ${code} 不存在 (no type ${code})`), { statusCode: 404 });
    return t;
  };
  app.get('/types', async () => s.catalog.list());
  app.post<{ Body: NewType }>('/types', { schema: { body: S.newType } }, async (req) => s.catalog.add({
    ...req.body, fields: req.body.fields.map((f) => ({ ...f, valueType: f.valueType ?? 'string', required: f.required ?? false, sensitive: f.sensitive ?? false })),
  }));
  app.post<{ Params: { code: string }; Body: { status: TypeStatus } }>('/types/:code/status', { schema: { body: S.typeStatus } }, async (req) => {
    await typeOf(req.params.code);
    return s.catalog.setStatus(req.params.code, req.body.status);
  });
  app.put<{ Params: { code: string }; Body: { layout: unknown } }>('/types/:code/layout', { schema: { body: S.layout } }, async (req) => {
    await typeOf(req.params.code);
    return s.catalog.setLayout(req.params.code, req.body.layout ?? undefined);
  });

  /** The layout file (PDF) a template gives, drawn with sample values and not signed: what the editor previews. */
  app.post<{ Params: { code: string }; Body: { layout: unknown } }>('/types/:code/preview', { config: { roles: ['administrator', 'issuer'] }, schema: { body: S.layout } },
    async (req, reply) => {
      const t = await typeOf(req.params.code);
      let template = t.layout;
      if (req.body.layout) {
        const parsed = parseLayoutTemplate(req.body.layout, t.fields);
        if (!parsed.ok) throw Object.assign(new Error(parsed.problems.join('; ')), { statusCode: 400 });
        template = parsed.template;
      }
      const c = sampleOf(t);
      const page = layOut(c, template);
      const pdf = await renderCertificatePdf({
        title: page.title, fields: page.fields, footer: page.footer,
        metadata: { certificateId: c.id, typeName: t.name, typeCode: t.code, holderCode: c.holder.code, holderName: c.holder.name, issuer: c.issuer.name, issuerCode: c.issuer.code, issueDate: c.issueDate },
      });
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${t.code}-preview.pdf"`).send(Buffer.from(pdf));
    });
}
