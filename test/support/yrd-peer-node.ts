/**
 * A node as `zhengzhao serve` runs it, plus the YRD peer face with a test handler map (the real
 * handlers are the app face's work) and one test route that makes this node call a peer through
 * its YrdPeerClient. Started as its own process by the e2e tests; prints {"baseUrl": …} when it listens.
 *
 * Usage: node --import tsx test/support/yrd-peer-node.ts --data <dir> [--database-url <url>]
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.js';
import { openServices } from '../../src/node/services.js';
import { buildApp } from '../../src/server/app.js';
import { adminToken as adminTokenOf, removeNodeHandle, writeNodeHandle } from '../../src/cli/node-handle.js';
import { ServiceError } from '../../src/domain/return-codes.js';
import { HopError } from '../../src/federation/hop-channel.js';
import type { YrdHandlers } from '../../src/dialects/yrd/contract.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, 'database-url': { type: 'string' } } });
const cfg = loadConfig({ data: values.data, databaseUrl: values['database-url'], port: 0 });
const s = await openServices(cfg, { warn: () => {} });

const handlers: YrdHandlers = {
  Echo: async (body, caller, meta) => ({ echo: body, caller, path: meta.path, correlationId: meta.correlationId, answeredBy: cfg.areaCode }),
  Refuse: async () => { throw new ServiceError('10', 'certificate 1.2.156 not held here', ['CertificateID']); },
  Crash: async () => { throw new Error('database password is hunter2'); },
  Slow: async (body) => {
    await new Promise((r) => setTimeout(r, Number(body.ms)));
    return { slept: body.ms };
  },
};

const adminToken = adminTokenOf(cfg);
const app = await buildApp(s, { logger: false, adminToken, yrdHandlers: handlers });
app.post<{ Body: { area: string; interface: string; body: Record<string, unknown>; correlationId: string; timeoutMs?: number } }>('/test/peer-call', async (req) => {
  const b = req.body;
  try {
    return { ok: true, data: await s.peerClient.call(b.area, b.interface, b.body, { correlationId: b.correlationId, timeoutMs: b.timeoutMs }) };
  } catch (err) {
    if (err instanceof ServiceError) return { ok: false, kind: 'service', code: err.code, message: err.message, fields: err.fields };
    if (err instanceof HopError) return { ok: false, kind: 'hop', problem: err.problem, message: err.message };
    return { ok: false, kind: 'error', message: (err as Error).message };
  }
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
writeNodeHandle(cfg, address, adminToken);
const stop = async () => {
  removeNodeHandle(cfg);
  await app.close();
  await s.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
console.log(JSON.stringify({ baseUrl: address, areaCode: cfg.areaCode }));
