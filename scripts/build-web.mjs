// Builds every web app: each folder web/<app>/ with a vite.config.ts is built by Vite into
// dist-web/<app>/ (the config names its outDir and base `/<app>/`). Run by `npm run prepare`, so
// `npm ci` leaves the apps ready for `npm start` to serve.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

const root = new URL('..', import.meta.url).pathname;
const webDir = join(root, 'web');
const apps = existsSync(webDir) ? readdirSync(webDir).filter((name) => existsSync(join(webDir, name, 'vite.config.ts'))).sort() : [];
for (const app of apps) {
  const started = Date.now();
  await build({ configFile: join(webDir, app, 'vite.config.ts'), logLevel: 'warn' });
  console.error(`web: built ${app} into dist-web/${app}/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
