// Runs the whole suite with Node's test runner: every test/**/*.test.ts file, through tsx.
// Node 20's --test does not expand globs itself, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) files.push(path.slice(root.length));
  }
};
walk(join(root, 'test'));
const filter = process.argv.slice(2);
const selected = filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files;
// --test-force-exit: a file whose tests are done exits even if something it started (a browser, a
// child node) still holds the event loop; a failed assertion in such a test once left its process
// spinning for an hour instead of reporting. --test-timeout bounds a test that never settles.
// The nodes and command lines the end-to-end tests start run compiled (test/support/node-process.ts):
// build them from the sources under test first.
const build = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
process.env.ZHENGZHAO_TEST_COMPILED = '1';
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-force-exit', '--test-timeout=900000', ...selected], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
