import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Every relative link of README.md and docs/*.md names a file that exists, and every #anchor a
 * heading of that page (GitHub's slugs: lower case, punctuation dropped, spaces to hyphens, a
 * repeated heading numbered). Links to other sites are not followed: the suite has no network.
 */
const root = resolve(import.meta.dirname, '../..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The text outside fenced code blocks and inline code, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

export function slug(heading: string): string {
  return heading.trim().toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, text] of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(text!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n ? `${base}-${n}` : base);
  }
  return anchors;
}

test('GitHub slugs as the link checker makes them', () => {
  assert.equal(slug('Transparency log (上链, seed 002 5.4.3 d)'), 'transparency-log-上链-seed-002-543-d');
  assert.equal(slug('Several processes, one database'), 'several-processes-one-database');
});

for (const page of pages) {
  test(`the links of ${page} resolve`, () => {
    const broken: string[] = [];
    const text = prose(readFileSync(join(root, page), 'utf8'));
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue;
      const [path, anchor] = target!.split('#') as [string, string | undefined];
      const file = path ? resolve(dirname(join(root, page)), decodeURI(path)) : join(root, page);
      if (!file.startsWith(root) || !existsSync(file)) { broken.push(`${target} (no such file)`); continue; }
      if (anchor !== undefined && !statSync(file).isDirectory() && file.endsWith('.md') && !anchorsOf(file).has(decodeURIComponent(anchor))) {
        broken.push(`${target} (no heading #${anchor} in ${relative(root, file)})`);
      }
    }
    assert.deepEqual(broken, []);
  });
}

test('the README stays the front door: at most 250 lines', () => {
  assert.ok(readFileSync(join(root, 'README.md'), 'utf8').split('\n').length <= 250);
});
