import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { API_DOCUMENTS, type ApiDocument } from './api-documents.js';

/** Where the documents are served: /openapi/{dialect}.json, and a browsable page at /openapi. */
export const OPENAPI_ROOT = '/openapi';

type OpenApi = { openapi: string; info: Record<string, unknown>; paths?: Record<string, unknown>; tags?: unknown[]; [k: string]: unknown };

/**
 * Collects every route's schemas (the dialects' schemas.ts) into OpenAPI 3.1. Registered before any
 * route, so it sees them all; docs are made from the schemas Fastify validates with, never copied.
 */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'zhengzhao', version: '1' },
    },
  });
}

/** Whether a route path belongs to a document: under one of its prefixes, or (the platform's) under none of the dialects'. */
function belongs(path: string, doc: ApiDocument): boolean {
  const under = (p: string) => path === p || path.startsWith(`${p}/`);
  if (doc.prefixes.length > 0) return doc.prefixes.some(under);
  return !API_DOCUMENTS.some((d) => d.prefixes.some(under));
}

/** One dialect's document: the paths under its prefixes, its title, and its return codes. */
export function dialectDocument(all: OpenApi, doc: ApiDocument): OpenApi {
  const paths = Object.fromEntries(Object.entries(all.paths ?? {}).filter(([p]) => belongs(p, doc) && !p.startsWith(OPENAPI_ROOT)));
  const codes = Object.entries(doc.codes).map(([code, text]) => `| ${code} | ${text} |`).join('\n');
  const description = [doc.description, '', `${doc.codeNote}`, '', '| code | meaning |', '|---|---|', codes].join('\n');
  return {
    openapi: all.openapi,
    info: { title: doc.title, version: '1', description },
    ...(all.components ? { components: all.components } : {}),
    paths,
  };
}

/** Serves each document and the browsable page listing them all. Registered after every route (app.ready makes the collection). */
export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  const documents = new Map<string, OpenApi>();
  const documentOf = (doc: ApiDocument) => {
    let d = documents.get(doc.name);
    if (!d) {
      d = dialectDocument(app.swagger() as unknown as OpenApi, doc);
      documents.set(doc.name, d);
    }
    return d;
  };
  for (const doc of API_DOCUMENTS) {
    app.get(`${OPENAPI_ROOT}/${doc.name}.json`, { schema: { hide: true } }, async () => documentOf(doc));
  }
  await app.register(swaggerUi, {
    routePrefix: OPENAPI_ROOT,
    uiConfig: { urls: API_DOCUMENTS.map((d) => ({ url: `${OPENAPI_ROOT}/${d.name}.json`, name: d.title })) },
    staticCSP: true,
  });
}
