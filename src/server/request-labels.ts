import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NATIONAL_ROOT } from '../dialects/national/routes.js';
import { BEIJING_API_ROOT } from '../dialects/beijing/routes.js';
import { BEIJING_WEB_ROOT } from '../dialects/beijing/views.js';
import { SICHUAN_ROOT } from '../dialects/sichuan/routes.js';
import { ZAOZHUANG_ROOT } from '../dialects/zaozhuang/routes.js';
import { YRD_ROOT } from '../dialects/yrd/routes.js';
import { YRD_PEER_ROOT } from '../federation/peer-message.js';

/** What a request is counted under: the dialect, its interface, and the code it answered in that dialect's terms. */
export interface RequestLabels { dialect: string; interface: string; code: string }

/** Longest prefix first: the dialect a URL belongs to when its handler wrote no usage record. */
const PREFIXES: ReadonlyArray<[string, string]> = ([
  [YRD_PEER_ROOT, 'yrd-peer'], [YRD_ROOT, 'yrd'], [NATIONAL_ROOT, 'national'], [BEIJING_API_ROOT, 'beijing'],
  [BEIJING_WEB_ROOT, 'beijing-web'], [SICHUAN_ROOT, 'sichuan'], [ZAOZHUANG_ROOT, 'zaozhuang'],
  ['/admin', 'admin'], ['/files', 'download'], ['/verify', 'public'],
] as Array<[string, string]>).sort((a, b) => b[0].length - a[0].length);

function dialectOfUrl(url: string): string {
  for (const [prefix, name] of PREFIXES) if (url === prefix || url.startsWith(`${prefix}/`)) return name;
  return 'node';
}

/**
 * Ties the usage record a handler writes to the request it serves: each request runs in a store of
 * its own (entered again after the body is parsed, whose stream events run outside it), and
 * `noteUsage` — called from the usage recorder's observer — writes the record's labels into the
 * current request's store. `labelsOf` then gives the dialect's own result code, or for a request
 * that wrote no record, the dialect by its URL prefix, the route and the HTTP status.
 */
export function requestLabels(app: FastifyInstance): {
  noteUsage(labels: RequestLabels): void;
  labelsOf(req: FastifyRequest, statusCode: number): RequestLabels;
} {
  const current = new AsyncLocalStorage<{ usage?: RequestLabels }>();
  const stores = new WeakMap<FastifyRequest, { usage?: RequestLabels }>();
  const enter = (req: FastifyRequest, done: () => void) => {
    let store = stores.get(req);
    if (!store) stores.set(req, store = {});
    current.run(store, done);
  };
  app.addHook('onRequest', (req, _reply, done) => enter(req, done));
  app.addHook('preValidation', (req, _reply, done) => enter(req, done));
  return {
    noteUsage(labels) {
      const store = current.getStore();
      if (store) store.usage = labels;
    },
    labelsOf(req, statusCode) {
      const usage = stores.get(req)?.usage;
      if (usage) return usage;
      const route = req.routeOptions.url;
      return { dialect: dialectOfUrl(req.url), interface: route ?? 'unmatched', code: `http-${statusCode}` };
    },
  };
}
