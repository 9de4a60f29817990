import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { gridMatrix, gridMatrixMissing } from '../../src/core/grid-matrix.js';
import { codeImage } from '../../src/core/qr-images.js';
import { pngModules, zintDump } from '../support/grid-matrix.js';

/**
 * Grid Matrix (GB/T 27766) through libzint: the addon's symbol must be, module for module, the one
 * Debian's `zint` command line draws for the same value at the same settings (its defaults: the
 * smallest version, the recommended error correction), and the PNG must draw exactly those modules.
 */
const hasZint = spawnSync('zint', ['--version']).status === 0;
const skip = gridMatrixMissing() ?? (hasZint ? false : 'the zint command line is missing (Debian: apt-get install zint)');

// A Sichuan encrypted certificate ID as the node makes them (hex, upper case), a short Latin value, CJK text, and a long one.
const VALUES = ['5F3A9C0E41B27D886AC3F0E19D4B7A2C5E8F01D3B6A9C2E4F7081A3B5C7D9E0F', 'GM', '四川省电子证照', 'https://zz.example.gov.cn/verify/' + 'A'.repeat(120)];

test('the addon draws the symbol the zint command line draws, for every value', { skip }, () => {
  for (const value of VALUES) {
    const s = gridMatrix(value);
    const cli = zintDump(value);
    assert.equal(s.rows, cli.length, `${value}: rows`);
    assert.equal(s.width, cli[0]!.length, `${value}: width`);
    const rows = Array.from({ length: s.rows }, (_, y) => [...s.modules.subarray(y * s.width, (y + 1) * s.width)].join(''));
    assert.deepEqual(rows, cli, value);
    assert.ok(rows.some((r) => r.includes('1')) && rows.some((r) => r.includes('0')));
  }
});

test('the PNG draws exactly those modules, 6 pixels each, in a light quiet zone', { skip }, async () => {
  const value = VALUES[0]!;
  const png = await codeImage(value, 'gm');
  assert.deepEqual(pngModules(png, 6), zintDump(value));
});

test('a value too long for the largest Grid Matrix is refused with zint\'s reason, not a crash', { skip }, () => {
  assert.throws(() => gridMatrix('9'.repeat(3000)), /zint: /);
});
