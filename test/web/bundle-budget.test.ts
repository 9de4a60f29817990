import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { builtWebApps, WEB_ROOT } from '../../src/server/web-apps.js';

/**
 * Every built web app's initial bundle (what index.html loads before any route is visited: its
 * scripts, module preloads and style sheets) stays within 500 KB gzipped, so a first visit over a
 * slow government network still opens in seconds. Charts and other heavy parts load with their pages.
 */
const BUDGET = 500 * 1024;
const apps = builtWebApps();

test('web apps are built (npm ci runs scripts/build-web.mjs)', () => {
  assert.ok(existsSync(join(WEB_ROOT)), 'dist-web/ exists');
  assert.ok(apps.length > 0, 'at least one app in dist-web/');
});

for (const app of apps) {
  test(`${app}: initial bundle within ${BUDGET / 1024} KB gzipped`, () => {
    const dir = join(WEB_ROOT, app);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="\/[a-z0-9-]+\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    assert.ok(refs.some((r) => r.endsWith('.js')), `index.html of ${app} loads a script`);
    let total = 0;
    const sizes: string[] = [];
    for (const ref of new Set(refs)) {
      const gz = gzipSync(readFileSync(join(dir, ref)), { level: 9 }).length;
      total += gz;
      sizes.push(`${ref} ${(gz / 1024).toFixed(1)} KB`);
    }
    console.log(`# ${app}: initial ${(total / 1024).toFixed(1)} KB gzipped (${sizes.join(', ')})`);
    assert.ok(total <= BUDGET, `${app}: ${(total / 1024).toFixed(1)} KB gzipped > ${BUDGET / 1024} KB`);
  });
}
