import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { makeBackend, type Backend } from '../support/backends.js';
import { ENTRY } from '../support/node-process.js';

const ROOT = new URL('../..', import.meta.url).pathname;

let b: Backend | undefined;
after(async () => { await b?.cleanup(); });

/** A port free now: the node is told it up front, so it can be polled before it prints anything. */
const freePort = () => new Promise<number>((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => resolve(port));
  });
});

const get = async (url: string) => {
  try {
    const r = await fetch(url);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  } catch { return undefined; }
};

test('serve --demo (embedded): alive at once, ready only with the demo data, and prints its URLs only then', async () => {
  b = await makeBackend('embedded');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...ENTRY, 'serve', '--demo', '--json', '--port', String(port), '--host', '127.0.0.1', '--data', b.dataDir], {
    cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  try {
    let printed = false;
    const line = new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`node exited with ${code}: ${stderr}`)));
      createInterface({ input: child.stdout }).on('line', (l) => { if (l.startsWith('{')) { printed = true; resolve(l); } });
    });
    // Poll while it starts: what /healthz and /readyz said before the URLs were printed.
    const seen: Array<{ health?: number; ready?: number; pending?: unknown }> = [];
    const deadline = Date.now() + 120_000;
    while (!printed && Date.now() < deadline) {
      const [health, ready] = await Promise.all([get(`${base}/healthz`), get(`${base}/readyz`)]);
      if (!printed && health) seen.push({ health: health.status, ready: ready?.status, pending: ready?.body.startupPending });
      await new Promise((r) => setTimeout(r, 25));
    }
    const info = JSON.parse(await line) as { baseUrl: string };
    assert.equal(info.baseUrl, base);

    // Listening before the demo data existed: alive, not ready, and saying why.
    assert.ok(seen.length > 0, 'the node answered before it printed its URLs');
    for (const s of seen.filter((x) => x.ready !== 200)) assert.deepEqual(s, { health: 200, ready: 503, pending: ['demo data'] });
    assert.ok(seen.some((s) => s.ready === 503), `some poll saw it not ready: ${JSON.stringify(seen.slice(0, 3))}`);

    // Once printed, ready.
    const ready = await get(`${base}/readyz`);
    assert.deepEqual(ready, { status: 200, body: { ready: true, database: 'reachable', migrationsPending: [], startupPending: [] } });
    assert.deepEqual(await get(`${base}/healthz`), { status: 200, body: { ok: true } });
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
});
