// Builds every single-page app under web/ (each folder with a vite.config.ts) into dist-web/<app>/,
// with Vite's JS API. Run by `npm run prepare` (so by `npm ci`), after the server's own build.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const web = fileURLToPath(new URL('../web/', import.meta.url));
const apps = existsSync(web) ? readdirSync(web, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(web, d.name, 'vite.config.ts'))).map((d) => d.name) : [];
for (const app of apps) {
  const started = Date.now();
  await build({ configFile: join(web, app, 'vite.config.ts'), root: join(web, app), logLevel: 'warn' });
  console.error(`web/${app} built into dist-web/${app}/ in ${Date.now() - started} ms`);
}
