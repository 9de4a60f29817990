import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
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

/** The first path segment under src/: a folder, or a top-level file such as config.ts. */
const unitOf = (file: string) => relative(src, file).split('/')[0]!;
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
export function violations(): string[] {
  const found: string[] = [];
  for (const file of sources(src)) {
    const from = unitOf(file);
    const fromRank = rankOf(from);
    if (fromRank < 0) continue;
    for (const target of importsOf(file)) {
      if (!target.startsWith(src + '/')) continue;
      const to = unitOf(target);
      if (to === from || to === 'types') continue;
      const toRank = rankOf(to);
      if (toRank > fromRank || (toRank === fromRank && to !== from)) found.push(`${relative(root, file)} -> ${relative(root, target)}`);
    }
  }
  return found;
}

test('every folder of src/ has a place in the layer order', () => {
  const units = new Set(sources(src).map(unitOf));
  const unplaced = [...units].filter((u) => rankOf(u) < 0);
  assert.deepEqual(unplaced, [], `add these to LAYERS in ${relative(root, import.meta.filename)}`);
});

test('no layer imports one above it (domain → crypto → store → core → files | federation → config → node → dialects → server → cli)', () => {
  assert.deepEqual(violations(), []);
});

test('the check sees a wrong import when there is one', () => {
  // The rule itself, on a made-up pair: core importing federation is refused, the reverse allowed.
  assert.ok(rankOf('federation') > rankOf('core'));
  assert.equal(rankOf('files'), rankOf('federation'));
  const { importedFiles } = ts.preProcessFile("import type { X } from '../federation/x.js';\nconst y = await import('../files/y.js');", true, true);
  assert.deepEqual(importedFiles.map((f) => f.fileName), ['../federation/x.js', '../files/y.js']);
});
