import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Services } from '../node/services.js';
import type { CircuitState } from '../federation/breaker.js';
import { requestLabels } from './request-labels.js';
import { requireBearer } from './bearer.js';
import { installWitnessMetrics } from './witness-metrics.js';

const CODE_LABELS = ['dialect', 'interface', 'code'] as const;
const STATES: readonly CircuitState[] = ['closed', 'open', 'half-open'];

/**
 * The node's metrics in the Prometheus text format at GET /metrics, behind the admin token (the
 * labels name remote nodes and callers' interfaces): requests and their latency by dialect,
 * interface and the dialect's own result code (taken from the usage record the call wrote), usage
 * records, the usage log's group commits, hops and circuits per remote node, the database pool, and
 * the process. Call on the root app before any route, so every route's requests are counted.
 */
export function installMetrics(app: FastifyInstance, s: Services, token: string): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const labels = requestLabels(app);

  const requests = new Counter({ name: 'zhengzhao_http_requests_total', help: 'HTTP requests answered, by dialect, interface and the dialect\'s result code', labelNames: CODE_LABELS, registers: [register] });
  const latency = new Histogram({
    name: 'zhengzhao_http_request_duration_seconds', help: 'Time to answer an HTTP request', labelNames: CODE_LABELS, registers: [register],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const records = new Counter({ name: 'zhengzhao_usage_records_total', help: 'Usage records (用证记录) written, by dialect, interface and result code', labelNames: CODE_LABELS, registers: [register] });
  const commitTime = new Histogram({
    name: 'zhengzhao_usage_commit_duration_seconds', help: 'Time of one group commit of the usage log', labelNames: ['outcome'], registers: [register],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  });
  const commitSize = new Histogram({
    name: 'zhengzhao_usage_commit_batch_size', help: 'Usage records in one group commit', registers: [register],
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 400],
  });
  const hopTime = new Histogram({
    name: 'zhengzhao_hop_duration_seconds', help: 'Calls to another node, by node and outcome', labelNames: ['node', 'outcome'], registers: [register],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  new Gauge({
    name: 'zhengzhao_circuit_state', help: 'The circuit breaker of each remote node: 1 for its current state', labelNames: ['node', 'state'], registers: [register],
    collect() {
      this.reset();
      for (const c of s.hops.circuits()) for (const state of STATES) this.set({ node: c.label, state }, c.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'zhengzhao_db_pool_connections', help: 'Database pool: connections in use, idle, callers waiting, and the pool size', labelNames: ['state'], registers: [register],
    collect() {
      const p = s.db.poolUse();
      this.set({ state: 'in-use' }, p.total - p.idle);
      this.set({ state: 'idle' }, p.idle);
      this.set({ state: 'waiting' }, p.waiting);
      this.set({ state: 'max' }, p.max);
    },
  });

  // A hub's catalog aggregation (ZWFW C 0124 5.3), read from the database at each scrape, so the
  // figures include runs of other processes (`zhengzhao aggregate`, other nodes on this database).
  // Rows per second is rate(zhengzhao_aggregation_rows_total[...]).
  if (s.cfg.role === 'hub') {
    let status: Promise<Awaited<ReturnType<Services['aggregator']['status']>> | undefined> | undefined;
    // One query per scrape for the three series, and none when the database does not answer.
    const current = () => (status ??= s.aggregator.status().catch(() => undefined).finally(() => { setImmediate(() => { status = undefined; }); }));
    new Counter({
      name: 'zhengzhao_aggregation_rows_total', help: 'lic_data rows the hub\'s aggregator applied to the catalog or refused (to lic_data_error)', labelNames: ['outcome'], registers: [register],
      async collect() {
        const st = await current();
        if (!st) return;
        this.reset();
        this.inc({ outcome: 'applied' }, st.applied);
        this.inc({ outcome: 'rejected' }, st.rejected);
      },
    });
    new Gauge({
      name: 'zhengzhao_aggregation_pending_rows', help: 'lic_data rows received and not yet aggregated', registers: [register],
      async collect() { const st = await current(); if (st) this.set(st.pending); },
    });
    new Gauge({
      name: 'zhengzhao_aggregation_lag_seconds', help: 'Age of the oldest lic_data row waiting for the aggregator, by its Cd_time (0 when none waits)', registers: [register],
      async collect() { const st = await current(); if (st) this.set(st.lagSeconds); },
    });
  }

  installWitnessMetrics(register, s);

  const stopUsage = s.usage.observe({
    recorded(e) {
      const l = { dialect: e.dialect, interface: e.interface, code: e.resultCode };
      records.inc(l);
      labels.noteUsage(l);
    },
    committed(n, seconds, ok) {
      commitTime.observe({ outcome: ok ? 'committed' : 'refused' }, seconds);
      commitSize.observe(n);
    },
  });
  const stopHops = s.hops.listen((node, seconds, outcome) => hopTime.observe({ node, outcome }, seconds));
  app.addHook('onResponse', async (req, reply) => {
    const l = labels.labelsOf(req, reply.statusCode);
    requests.inc(l);
    latency.observe(l, reply.elapsedTime / 1000);
  });
  app.addHook('onClose', async () => { stopUsage(); stopHops(); });

  app.get('/metrics', { onRequest: requireBearer(token) }, async (_req, reply) => {
    reply.type(register.contentType);
    return register.metrics();
  });
  return register;
}
