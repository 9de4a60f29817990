import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Ajv } from 'ajv';
import { Validator } from '@seriousme/openapi-schema-validator';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { buildApp } from '../../src/server/app.js';
import { API_DOCUMENTS } from '../../src/server/api-documents.js';
import { APPENDIX_C_EXAMPLE } from '../../src/dialects/national/schemas.js';

const pgSkip = await postgresSkip();

type Operation = { requestBody?: { content: Record<string, { schema: object; example?: unknown }> } };
type Doc = { openapi: string; info: { title: string; description: string }; paths: Record<string, Record<string, Operation>> };

/** Fastify's path syntax as OpenAPI writes it: /files/:token → /files/{token}, /log/tile/* → /log/tile/{*}. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{*}');

describe('OpenAPI documents generated from the route schemas', () => {
  const skip = pgSkip;
  let b: Backend;
  let s: Services;
  let app: FastifyInstance;
  const routes: { method: string; url: string }[] = [];
  const docs = new Map<string, Doc>();
  before(async () => {
    if (skip) return;
    b = await makeBackend('postgres');
    s = await openServices({ ...loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }, {}), areaCode: '110000' }, { warn: () => {} });
    app = await buildApp(s, {
      adminToken: 'openapi-test-admin-token',
      onRoute: (r) => { for (const m of [r.method].flat()) routes.push({ method: m, url: r.url }); },
    });
    for (const d of API_DOCUMENTS) {
      const r = await app.inject({ method: 'GET', url: `/openapi/${d.name}.json` });
      assert.equal(r.statusCode, 200, d.name);
      docs.set(d.name, r.json());
    }
  });
  after(async () => {
    if (skip) return;
    await app.close();
    await s.close();
    await b.cleanup();
  });

  test('each document is valid OpenAPI 3.1 and lists its codes', { skip }, async () => {
    for (const [name, doc] of docs) {
      assert.match(doc.openapi, /^3\.1\./, name);
      const res = await new Validator().validate(doc as unknown as object);
      assert.deepEqual(res, { valid: true }, `${name}: ${JSON.stringify(res.errors)}`);
    }
    assert.match(docs.get('national')!.info.description, /\| 24 \| 申请查验的证照数据无法解析 \|/);
    assert.match(docs.get('yrd')!.info.description, /\| 48 \| 访问授权不包含该证照类型 \|/);
    assert.match(docs.get('beijing')!.info.description, /\| INVALID_ARGUMENT \|/);
  });

  test('every registered route is in exactly the document of its prefix', { skip }, async () => {
    // The built web apps' files (/console/*, /portal/*) are pages, not API: their APIs are documented.
    const pages = /^\/(console|portal)(\/|\/\*)?$/;
    const served = routes.filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/openapi') && !pages.test(r.url));
    assert.ok(served.length > 100, `${served.length} routes`);
    for (const r of served) {
      const holders = [...docs].filter(([, d]) => d.paths[openApiPath(r.url)]?.[r.method.toLowerCase()]).map(([n]) => n);
      assert.equal(holders.length, 1, `${r.method} ${r.url} in ${JSON.stringify(holders)}`);
    }
    assert.ok(docs.get('national')!.paths['/elssp/v1/Retrieval']?.post, 'national Retrieval');
    assert.ok(docs.get('platform')!.paths['/metrics']?.get, 'metrics in the platform document');
  });

  test('the browsable page is served', { skip }, async () => {
    const page = await app.inject({ method: 'GET', url: '/openapi/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger-ui/i);
    const init = await app.inject({ method: 'GET', url: '/openapi/static/swagger-initializer.js' });
    assert.match(init.body, /\/openapi\/national\.json/);
  });

  test("every example passes its own schema, and the live node takes it past validation", { skip }, async () => {
    const ajv = new Ajv({ strict: false });
    let examples = 0;
    for (const [name, doc] of docs) {
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
            if (media.example === undefined) continue;
            examples++;
            assert.ok(ajv.validate(media.schema, media.example), `${name} ${method} ${path}: ${ajv.errorsText()}`);
            const payload = type === 'application/x-www-form-urlencoded'
              ? new URLSearchParams(media.example as Record<string, string>).toString() : JSON.stringify(media.example);
            const r = await app.inject({ method: method.toUpperCase() as 'POST', url: path, payload, headers: { 'content-type': type } });
            const answer = r.json();
            // A schema refusal is the dialect's "cannot parse" (24): the example must get further (here,
            // to authentication, which its placeholder credentials fail).
            const code = String(answer.head?.status ?? answer.code ?? answer.errors?.[0]?.code);
            assert.notEqual(code, '24', `${name} ${method} ${path} ${type}: ${JSON.stringify(answer)}`);
            assert.notEqual(code, 'INVALID_ARGUMENT', `${name} ${method} ${path} ${type}: ${JSON.stringify(answer)}`);
          }
        }
      }
    }
    assert.ok(examples >= 2, `${examples} examples`);
  });

  test("appendix C's own request validates against GetCertificateFileByHolder's schema", { skip }, async () => {
    const op = docs.get('national')!.paths['/elssp/v1/GetCertificateFileByHolder']!.post!;
    const schema = op.requestBody!.content['application/x-www-form-urlencoded']!.schema;
    const ajv = new Ajv({ strict: false });
    assert.ok(ajv.validate(schema, APPENDIX_C_EXAMPLE), ajv.errorsText());
    assert.ok(!ajv.validate(schema, { ...APPENDIX_C_EXAMPLE, AccessToken: ['x'] }), 'a list where a text belongs is refused');
  });
});
