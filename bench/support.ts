import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root, where README.md and bench/ live. */
export const ROOT = new URL('..', import.meta.url).pathname;

/** A numeric command-line option, `--name value`, or its default. */
export function numberArg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

/** The markdown table every benchmark prints: one row per measurement beside its baseline and the ratio. */
export function ratioTable(header: [string, string, string], rows: { endpoint: string; rps: number; baselineRps: number; ratio: number }[]): string {
  return [`| ${header[0]} | ${header[1]} | ${header[2]} | ratio |`, '|---|---|---|---|', ...rows.map((r) => `| ${r.endpoint} | ${r.rps} | ${r.baselineRps} | ${r.ratio} |`)].join('\n');
}

/** Replaces what stands between `<!-- {marker}:start -->` and `<!-- {marker}:end -->` in the README. */
export function replaceReadmeSection(marker: string, text: string): void {
  const path = join(ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) return;
  writeFileSync(path, `${readme.slice(0, i + start.length)}\n${text}\n${readme.slice(j)}`);
}

/** The PostgreSQL server benchmarks run against. */
export const BENCH_SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of this name on the benchmark server, dropped and made again empty; answers its URL. */
export async function freshDatabase(name: string): Promise<string> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: BENCH_SERVER });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(BENCH_SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}
