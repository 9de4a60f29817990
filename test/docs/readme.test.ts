import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeBackend, type Backend } from '../support/backends.js';
import { startNode, type RunningNode } from '../support/node-process.js';

/**
 * The README's first-user journey, run as a new user would: a fresh demo node (what `npm start`
 * runs), then every shell block of the README's "First calls" section pasted into bash in a
 * directory laid out like the checkout (`data/`, `bin/zhengzhao.js`). Each block must exit 0 and
 * print, in order, what its `# prints:` lines show (`…` stands for anything).
 */
const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The ```sh blocks between a `## {section}` heading and the next `## `. */
export function shellBlocks(markdown: string, section: string): string[] {
  const start = markdown.indexOf(`\n## ${section}\n`);
  assert.ok(start >= 0, `the README has a "${section}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  const text = markdown.slice(start, end < 0 ? undefined : end);
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

/** What a block says it prints: each `# prints:` line, split at `…` into pieces that appear in order. */
export function expectations(block: string): string[][] {
  return [...block.matchAll(/^# prints: (.*)$/gm)].map((m) => m[1]!.split('…').filter(Boolean));
}

/** Whether `output` shows every expected line's pieces, each line after the one before. */
export function shows(output: string, expected: string[][]): string | undefined {
  let at = 0;
  for (const pieces of expected) {
    for (const piece of pieces) {
      const i = output.indexOf(piece, at);
      if (i < 0) return piece;
      at = i + piece.length;
    }
  }
  return undefined;
}

const blocks = shellBlocks(readme, 'First calls');
let backend: Backend;
let node: RunningNode;
let work: string;

before(async () => {
  backend = await makeBackend('postgres');
  work = mkdtempSync(join(tmpdir(), 'zz-readme-'));
  // The checkout's command line, as the README calls it: compiled when the runner built it, else the sources.
  mkdirSync(join(work, 'bin'));
  if (process.env.ZHENGZHAO_TEST_COMPILED === '1') symlinkSync(join(root, 'bin/zhengzhao.js'), join(work, 'bin/zhengzhao.js'));
  else {
    writeFileSync(join(work, 'bin/zhengzhao.js'), `#!/bin/sh\nexec "${process.execPath}" --import "${import.meta.resolve('tsx')}" "${root}/src/cli/main.ts" "$@"\n`);
    chmodSync(join(work, 'bin/zhengzhao.js'), 0o755);
  }
  node = await startNode({ ...backend, dataDir: join(work, 'data') }, ['--demo']);
});

after(async () => {
  await node?.stop();
  await backend?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('npm start runs the demo node this test starts', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.start, 'node bin/zhengzhao.js serve --demo');
});

test('the README has a call for every interface, each saying what it prints', () => {
  for (const path of ['/elssp/v1/', '/sichuan/v1/', '/beijing/api', '/license-api-release', 'yrd call']) {
    assert.ok(blocks.some((b) => b.includes(path)), `a block calls ${path}`);
  }
  for (const b of blocks) assert.ok(expectations(b).length > 0, `a block without "# prints:": ${b}`);
});

test('the check refuses an answer that differs from what the README says', () => {
  assert.equal(shows('{"head":{"status":"11"}}', [['{"head":{"status":"0"']]), '{"head":{"status":"0"');
  assert.equal(shows('a b c', [['a', 'c'], ['b']]), 'b');
  assert.equal(shows('a b c', [['a'], ['b', 'c']]), undefined);
});

for (const [i, block] of blocks.entries()) {
  const call = /(?:curl -s \S+|zhengzhao\.js yrd call \S+)/.exec(block)?.[0] ?? block.split('\n')[0]!;
  test(`README block ${i + 1} answers as it says: ${call}`, () => {
    const script = block.replaceAll('http://127.0.0.1:8080', node.baseUrl);
    const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: work, encoding: 'utf8', timeout: 120_000, env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const missing = shows(r.stdout, expectations(block));
    assert.equal(missing, undefined, `the output lacks ${JSON.stringify(missing)}:\n${r.stdout.slice(0, 2000)}`);
  });
}
