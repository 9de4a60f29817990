// Builds native/zint (Grid Matrix through Debian's libzint) at `npm install` / `npm ci`, when the
// library's headers are there (libzint-dev). It never fails the install: without them, or if the
// build fails, Grid Matrix requests answer "not provided" naming the missing library.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'native', 'zint');
const addon = join(dir, 'build', 'Release', 'zz_zint.node');
const logFile = join(dir, 'build.log');
const require = createRequire(import.meta.url);

const skip = (why) => {
  rmSync(addon, { force: true });
  console.log(`zhengzhao: Grid Matrix addon not built (${why}); GM codes answer "not provided"`);
  process.exit(0);
};

try {
  if (!['/usr/include/zint.h', '/usr/local/include/zint.h'].some((p) => existsSync(p))) skip('zint.h not found: apt-get install libzint-dev');
  const candidates = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  try { candidates.push(require.resolve('node-gyp/bin/node-gyp.js')); } catch { /* not a dependency */ }
  const gyp = candidates.find((p) => p && existsSync(p));
  if (!gyp) skip('node-gyp not found');
  const args = [gyp, 'rebuild', '--directory', dir];
  const prefix = dirname(dirname(process.execPath));
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 300_000 });
  writeFileSync(logFile, `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`);
  if (run.status !== 0 || !existsSync(addon)) skip('build failed, see native/zint/build.log');
  const { gridMatrix } = require(addon);
  if (gridMatrix(Buffer.from('GM'), 0, 0).rows < 18) skip('the built addon does not encode');
  console.log('zhengzhao: Grid Matrix addon built (libzint)');
} catch (err) {
  skip(String(err?.message ?? err).split('\n')[0]);
}
