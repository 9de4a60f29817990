import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';

/** The repository root, where docs/ and bench/ live. */
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

/**
 * Replaces what stands between `<!-- {marker}:start -->` and `<!-- {marker}:end -->` in
 * docs/benchmarks.md (never the README: it is the front door, kept short and true by its own test).
 */
export function replaceBenchmarkSection(marker: string, text: string): void {
  const path = join(ROOT, 'docs', 'benchmarks.md');
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

/**
 * Rates (operations per second) of several loops measured side by side: each runs in turn for a
 * slice of time, over and over for `seconds`, so a change in the machine's load touches every loop
 * alike and their ratios hold. Every loop is warmed up first (JIT, OpenSSL tables); a progress bar
 * shows which one runs.
 */
export function alternatingRates(label: string, loops: Record<string, () => void>, o: { seconds: number; sliceMs: number; batch: number; warmup: number }): Record<string, number> {
  const counts = Object.fromEntries(Object.keys(loops).map((k) => [k, 0])) as Record<string, number>;
  const spent = Object.fromEntries(Object.keys(loops).map((k) => [k, 0])) as Record<string, number>;
  for (const fn of Object.values(loops)) for (let i = 0; i < o.warmup; i++) fn();
  const bar = new cliProgress.SingleBar({ format: `[bench] ${label} {bar} {percentage}% | {value}/{total} s | {phase}`, stream: process.stderr },
    cliProgress.Presets.shades_classic);
  bar.start(o.seconds, 0, { phase: '' });
  const start = performance.now();
  while (performance.now() - start < o.seconds * 1000) {
    for (const [name, fn] of Object.entries(loops)) {
      bar.update(Math.min(o.seconds, Math.floor((performance.now() - start) / 1000)), { phase: name });
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < o.sliceMs) {
        for (let i = 0; i < o.batch; i++) fn();
        n += o.batch;
      }
      spent[name]! += performance.now() - t0;
      counts[name]! += n;
    }
  }
  bar.update(o.seconds, { phase: 'done' });
  bar.stop();
  return Object.fromEntries(Object.keys(loops).map((k) => [k, Math.round(counts[k]! / (spent[k]! / 1000))]));
}
