import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `scripts/build-web.mjs` puts each app (web/<app>/ → dist-web/<app>/). */
export const WEB_DIST = fileURLToPath(new URL('../../dist-web/', import.meta.url));

/**
 * The content security policy of every page: scripts and data only from the node itself, no
 * frames, no plugins. Element Plus sets style attributes at run time, hence 'unsafe-inline' for
 * styles only; QR codes and charts are data: or blob: images.
 */
export const WEB_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
  + "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/**
 * Serves every built single-page app found in dist-web/ at /<app>/ (@fastify/static), with the
 * security headers and a fallback to the app's index.html for its client-side routes. An app not
 * built (no dist-web/<app>/index.html) is not mounted; the node serves its APIs regardless.
 */
export async function webApps(app: FastifyInstance, dist = WEB_DIST): Promise<string[]> {
  if (!existsSync(dist)) return [];
  const names = readdirSync(dist, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(dist, d.name, 'index.html'))).map((d) => d.name);
  for (const name of names) {
    const root = join(dist, name);
    const index = readFileSync(join(root, 'index.html'));
    await app.register(async (scope) => {
      scope.addHook('onSend', async (_req, reply, payload) => {
        reply.header('content-security-policy', WEB_CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
        return payload;
      });
      await scope.register(fastifyStatic, { root, prefix: '/', index: ['index.html'], wildcard: true, decorateReply: false });
      // A client-side route (/portal/uses) is the app's page; a missing asset (a dotted name) stays a 404.
      scope.setNotFoundHandler((req, reply) => {
        if (req.method === 'GET' && !/\.[a-z0-9]+$/i.test(req.url.split('?')[0]!)) return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
        return reply.code(404).send({ error: { code: 'not-found', message: `no such file in /${name}/` } });
      });
    }, { prefix: `/${name}` });
  }
  return names;
}
