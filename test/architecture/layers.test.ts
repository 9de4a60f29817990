import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The layering of DESIGN.md, checked on every import of src/ (static, dynamic and type-only, as the
 * TypeScript compiler's own pre-processor finds them): a layer may import its own folder and the
 * layers below it, never one above, and the two plug-ins of the core (files, federation) not each
 * other. The core declares the interfaces files and federation plug into; the composition root
 * (node/) wires them with the configuration.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['domain'],
  ['crypto'],
  ['store'],
  ['core'],
  ['files', 'federation'],
  ['config.ts'],
  ['node'],
  ['dialects'],
  ['server'],
  ['cli'],
];

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');

/** The first path segment under the source root: a folder, or a top-level file such as config.ts. */
const unitOf = (file: string, base = src) => relative(base, file).split('/')[0]!;
const rankOf = (unit: string) => LAYERS.findIndex((layer) => layer.includes(unit));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports of a file, resolved to the .ts files they name. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
}

/** Every import that breaks the order, as "from -> to". */
export function violations(base = src): string[] {
  const found: string[] = [];
  for (const file of sources(base)) {
    const from = unitOf(file, base);
    const fromRank = rankOf(from);
    if (fromRank < 0) continue;
    for (const target of importsOf(file)) {
      if (!target.startsWith(base + '/')) continue;
      const to = unitOf(target, base);
      if (to === from || to === 'types') continue;
      const toRank = rankOf(to);
      if (toRank > fromRank || (toRank === fromRank && to !== from)) found.push(`${relative(base, file)} -> ${relative(base, target)}`);
    }
  }
  return found;
}

test('every folder of src/ has a place in the layer order', () => {
  const units = new Set(sources(src).map((f) => unitOf(f)));
  const unplaced = [...units].filter((u) => rankOf(u) < 0);
  assert.deepEqual(unplaced, [], `add these to LAYERS in ${relative(root, import.meta.filename)}`);
});

test('no layer imports one above it (domain → crypto → store → core → files | federation → config → node → dialects → server → cli)', () => {
  assert.deepEqual(violations(), []);
});

/** Imports from one dialect's folder into another's: each standard is mapped on its own (shared code sits in dialects/ itself). */
export function crossDialect(): string[] {
  const dialects = join(src, 'dialects');
  const folderOf = (file: string) => {
    const parts = relative(dialects, file).split('/');
    return parts.length > 1 ? parts[0] : undefined;
  };
  return sources(dialects).flatMap((file) => importsOf(file)
    .filter((target) => target.startsWith(dialects + '/') && folderOf(target) && folderOf(file) && folderOf(target) !== folderOf(file))
    .map((target) => `${relative(root, file)} -> ${relative(root, target)}`));
}

test('no dialect imports another dialect\'s folder', () => {
  assert.deepEqual(crossDialect(), []);
});

test('the check sees a wrong import when there is one', () => {
  // A made-up tree: the core importing federation (refused, also as a type or a dynamic import), the reverse (allowed), files importing federation (refused).
  const tree = mkdtempSync(join(tmpdir(), 'zz-layers-'));
  try {
    const write = (path: string, text: string) => { mkdirSync(dirname(join(tree, path)), { recursive: true }); writeFileSync(join(tree, path), text); };
    write('core/a.ts', "import type { B } from '../federation/b.js';\nexport const a = () => import('../federation/b.js');\n");
    write('federation/b.ts', "import { a } from '../core/a.js';\nexport type B = typeof a;\n");
    write('files/c.ts', "export { a } from '../core/a.js';\nimport '../federation/b.js';\n");
    assert.deepEqual(violations(tree).sort(), ['core/a.ts -> federation/b.ts', 'core/a.ts -> federation/b.ts', 'files/c.ts -> federation/b.ts']);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});
