// Builds the addon in native/ (SM2, and bulk HMAC-SM3/SM4 sealing) at `npm install` / `npm ci`. It never
// fails the install: without a compiler or Node headers SM2 runs in JavaScript (sm-crypto-v2), bulk sealing
// goes value by value through Node's crypto, and one line says so.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'native');
const addon = join(dir, 'build', 'Release', 'zz_sm2.node');
const logFile = join(dir, 'build.log');
const require = createRequire(import.meta.url);

const fallback = (why) => {
  rmSync(addon, { force: true });
  console.log(`zhengzhao: SM2 addon not built (${why}); SM2 and bulk sealing fall back to JavaScript (slower)`);
  process.exit(0);
};

// npm tells lifecycle scripts where its bundled node-gyp is; otherwise a dependency or npm's own copy.
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  try { candidates.push(require.resolve('node-gyp/bin/node-gyp.js')); } catch { /* not a dependency */ }
  return candidates.find((p) => p && existsSync(p));
}

try {
  const gyp = findNodeGyp();
  if (!gyp) fallback('node-gyp not found');
  const args = [gyp, 'rebuild', '--directory', dir];
  // The headers installed with this very Node carry the OpenSSL headers of the OpenSSL it links, and
  // need no download; use them unless npm was told otherwise.
  const prefix = dirname(dirname(process.execPath));
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'openssl', 'evp.h'))) args.push(`--nodedir=${prefix}`);
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 300_000 });
  writeFileSync(logFile, `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`);
  if (run.status !== 0 || !existsSync(addon)) fallback('build failed, see native/build.log');
  // Load it once here, so a binary that cannot load (e.g. a Node without OpenSSL symbols) is removed now.
  const sm2 = require(addon);
  sm2.key(Buffer.from('0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13', 'hex'));
  console.log('zhengzhao: SM2 addon built; SM2 runs through OpenSSL');
} catch (err) {
  fallback(String(err?.message ?? err).split('\n')[0]);
}
