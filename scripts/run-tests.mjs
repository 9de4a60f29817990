// Runs the whole suite with Node's test runner: every test/**/*.test.ts file, through tsx.
// Node 20's --test does not expand globs itself, so the files are listed here.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

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

// The independent checks use Debian's tools; CI installs them all (.ci/run), elsewhere a missing one skips its checks.
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const TOOLS = [
  { ok: () => has('pdftotext') && has('pdftoppm') && has('pdfsig'), what: 'pdftotext/pdftoppm/pdfsig', pkg: 'poppler-utils', skips: 'PDF text, rendering and signature checks in test/files/pdf-independent, pdf-render, test/domain/layout-template, test/e2e/national' },
  { ok: () => has('zbarimg'), what: 'zbarimg', pkg: 'zbar-tools', skips: 'QR read-back in test/files/pdf-independent, test/core/encrypted-ids, test/e2e/sichuan' },
  { ok: () => has('javac') && ['bcprov', 'bcpkix', 'bcutil'].every((j) => existsSync(`/usr/share/java/${j}.jar`)), what: 'a JDK with BouncyCastle', pkg: 'default-jdk-headless libbcprov-java libbcpkix-java libbcutil-java', skips: 'BouncyCastle checks of CMS signatures and SM2 envelopes in test/files/pdf-independent, test/crypto/envelope-independent' },
  { ok: () => existsSync('/usr/bin/chromium'), what: 'chromium', pkg: 'chromium', skips: 'the OFD render test (test/files/ofd-render), the Beijing H5 browser test (test/e2e/beijing-issuing) and the console browser test (test/e2e/console)' },
];
if (!process.env.CI) {
  for (const t of TOOLS) if (!t.ok()) console.error(`tests: ${t.what} missing: skipping ${t.skips} (Debian: apt-get install ${t.pkg})`);
}

// The nodes and command lines the end-to-end tests start run compiled (test/support/node-process.ts):
// build them from the sources under test first.
const build = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
process.env.ZHENGZHAO_TEST_COMPILED = '1';

// One PostgreSQL for the run: the one TEST_DATABASE_URL names, or an embedded server started here
// once and shared by every file (each suite makes a database of its own on it).
let lease;
if (!process.env.TEST_DATABASE_URL) {
  const { leaseEmbedded } = await import(join(root, 'dist/store/embedded/server.js'));
  const started = Date.now();
  lease = await leaseEmbedded(join(tmpdir(), 'zhengzhao-test-postgres'), () => {});
  const url = new URL(lease.url);
  url.pathname = '/postgres';
  process.env.TEST_DATABASE_URL = url.toString();
  console.error(`tests: embedded PostgreSQL ready in ${Date.now() - started} ms (set TEST_DATABASE_URL to use another server)`);
}

// --test-force-exit: a file whose tests are done exits even if something it started (a browser, a
// child node) still holds the event loop; a failed assertion in such a test once left its process
// spinning for an hour instead of reporting. --test-timeout bounds a test that never settles.
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-force-exit', '--test-timeout=900000', ...selected], { cwd: root, stdio: 'inherit' });
const status = await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
await lease?.release();
process.exit(status);
