import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where scripts/build-web.mjs puts the built apps: dist-web/<app>/ at the package root (beside src/ and dist/). */
export const WEB_ROOT = fileURLToPath(new URL('../../dist-web/', import.meta.url));

/**
 * Pages load only what the node serves: scripts and fonts from the node itself, no inline script,
 * nothing framed from elsewhere, forms posting nowhere else. Inline style attributes stay allowed:
 * the component toolkit positions popups with them.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
  "font-src 'self' data:", "connect-src 'self'", "frame-src 'self' blob:", "object-src 'none'", "base-uri 'self'",
  "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

/** The apps built into dist-web/ (those with an index.html). */
export function builtWebApps(root = WEB_ROOT): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((name) => /^[a-z][a-z0-9-]*$/.test(name) && existsSync(join(root, name, 'index.html'))).sort();
}

/**
 * Serves every built web app (the operator console, the holder portal…) at /<app>/ from
 * dist-web/<app>/. Any other path under /<app>/ that is not a file (and not the app's /api/)
 * answers the app's index.html, so the single-page app's own routes survive a reload.
 * A node installed without the apps built serves none and says nothing: the APIs work alone.
 */
export async function webApps(app: FastifyInstance, opts: { root?: string } = {}): Promise<string[]> {
  const root = opts.root ?? WEB_ROOT;
  const apps = builtWebApps(root);
  for (const name of apps) {
    const dir = join(root, name);
    app.get(`/${name}`, (_req, reply) => reply.redirect(`/${name}/`));
    await app.register(async (scope) => {
      scope.addHook('onSend', async (_req, reply, payload) => {
        reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
        reply.header('x-content-type-options', 'nosniff');
        reply.header('referrer-policy', 'same-origin');
        reply.header('x-frame-options', 'DENY');
        return payload;
      });
      await scope.register(fastifyStatic, {
        root: dir, prefix: '/', wildcard: true, index: ['index.html'],
        // Vite names built assets by their content: they never change under one name.
        setHeaders: (res, path) => res.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
      });
      scope.setNotFoundHandler((req, reply) => {
        const path = req.url.split('?')[0]!;
        // A missing file (a name with an extension) is a 404, not the page: a stale script must fail loudly.
        if (req.method !== 'GET' || path.startsWith(`/${name}/api/`) || /\.[A-Za-z0-9]+$/.test(path)) return reply.code(404).send({ error: `no route ${req.method} ${path}` });
        return reply.header('cache-control', 'no-cache').sendFile('index.html', dir);
      });
    }, { prefix: `/${name}` });
  }
  return apps;
}
