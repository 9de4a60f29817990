import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzz } from './fuzzer.js';

/**
 * npm run fuzz -- [--requests N] [--seed S] [--concurrency C] [--database-url URL]
 * Starts a demo node in this process on a fresh database (DATABASE_URL's server, or embedded),
 * fuzzes every route, prints the figures and the first findings, and exits 1 when any is found.
 */
const arg = (name: string, dflt?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const requests = Number(arg('requests', '5000'));
const seed = Number(arg('seed', '1'));
const server = arg('database-url', process.env.FUZZ_DATABASE_URL ?? process.env.DATABASE_URL);
const dataDir = mkdtempSync(join(tmpdir(), 'zz-fuzz-'));
let databaseUrl: string | undefined;
let drop = async () => {};
if (server) {
  const { default: pg } = await import('pg');
  const name = `zz_fuzz_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
  drop = async () => {
    const c = new pg.Client({ connectionString: server });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  };
}
const t0 = Date.now();
try {
  const r = await fuzz({
    requests, seed, dataDir, databaseUrl, concurrency: Number(arg('concurrency', '8')),
    progress: (done, total) => process.stderr.write(`fuzz: ${done}/${total}\r`),
  });
  for (const f of r.findings.slice(0, Number(arg('show', '40')))) console.log(`${f.status} ${f.problem} ${f.method} ${f.url.slice(0, 160)}\n    ${JSON.stringify(f.excerpt).slice(0, 300)}`);
  console.log(`fuzz (seed ${seed}): ${r.requests} requests on ${r.routesHit}/${r.routes} routes in ${((Date.now() - t0) / 1000).toFixed(0)} s: ` +
    `${r.serverErrors} answered 5xx, ${r.internalTexts} carried internal texts, ${r.wrongEnvelopes} outside their envelope, ${r.loggedErrors} logged as errors`);
  process.exitCode = r.serverErrors + r.internalTexts + r.wrongEnvelopes + r.loggedErrors > 0 ? 1 : 0;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  await drop();
}
