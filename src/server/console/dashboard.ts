import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Services } from '../../node/services.js';
import { aggregationLag, logHealth, usageStats } from '../../store/console-stats.js';
import { S } from './schemas.js';

const DIALECTS = new Set(['national', 'sichuan', 'beijing', 'beijing-web', 'zaozhuang', 'yrd', 'yrd-peer']);

export interface Latency { dialect: string; requests: number; meanMs: number; p95Ms: number }

/**
 * Latency of the interfaces since the process started, per dialect, from the same histogram
 * GET /metrics publishes (zhengzhao_http_request_duration_seconds); p95 is the upper bound of the
 * bucket it falls in.
 */
export async function latencyByDialect(metrics: Registry | undefined): Promise<Latency[] | null> {
  const h = metrics?.getSingleMetric('zhengzhao_http_request_duration_seconds');
  if (!h) return null;
  const per = new Map<string, { count: number; sum: number; buckets: Map<number, number> }>();
  for (const v of (await h.get()).values) {
    const dialect = String(v.labels.dialect);
    if (!DIALECTS.has(dialect)) continue;
    const d = per.get(dialect) ?? { count: 0, sum: 0, buckets: new Map<number, number>() };
    per.set(dialect, d);
    const name = (v as { metricName?: string }).metricName ?? '';
    if (name.endsWith('_count')) d.count += v.value;
    else if (name.endsWith('_sum')) d.sum += v.value;
    else if (name.endsWith('_bucket')) { const le = Number(v.labels.le); d.buckets.set(le, (d.buckets.get(le) ?? 0) + v.value); }
  }
  return [...per].filter(([, d]) => d.count > 0).map(([dialect, d]) => {
    const target = d.count * 0.95;
    const p95 = [...d.buckets].sort((a, b) => a[0] - b[0]).find(([, n]) => n >= target)?.[0] ?? Infinity;
    return { dialect, requests: d.count, meanMs: Math.round((d.sum / d.count) * 10000) / 10, p95Ms: Number.isFinite(p95) ? p95 * 1000 : -1 };
  }).sort((a, b) => a.dialect.localeCompare(b.dialect));
}

/** The dashboard: usage charts, latency, and the federation's health as this node sees it. */
export function dashboardRoutes(app: FastifyInstance, s: Services, metrics: Registry | undefined): void {
  app.get<{ Querystring: { days?: number } }>('/dashboard', { schema: { querystring: S.dashboardQuery } }, async (req) => ({
    ...(await usageStats(s.db, req.query.days ?? 14)),
    latency: await latencyByDialect(metrics),
  }));

  app.get('/federation', async () => {
    const [nodes, peers, log, errors, aggregation] = await Promise.all([
      s.nodes.list(), s.peers.list(), logHealth(s.db), s.frontErrors.list({ limit: 50 }), s.cfg.role === 'hub' ? aggregationLag(s.db) : undefined,
    ]);
    return {
      role: s.cfg.role, areaCode: s.cfg.areaCode ?? null, dataSource: s.cfg.dataSource ?? null, hub: s.cfg.hub?.url ?? null,
      nodes, peers: peers.map((p) => ({ areaCode: p.areaCode, name: p.name, baseUrl: p.baseUrl, fetchedAt: p.fetchedAt ?? null, signingKeys: p.signingKeys.length })),
      circuits: s.hops.circuits(), log, aggregation: aggregation ?? null,
      openErrors: errors.filter((e) => !e.resolvedAt).map((e) => ({ id: e.id, sourceId: e.sourceId, typeCode: e.typeCode, issuerCode: e.issuerCode, operation: e.operation, remark: e.remark, time: e.time })),
    };
  });
}
