import { Gauge, type Registry } from 'prom-client';
import type { Services } from '../node/services.js';

/**
 * The transparency log and its witnessing on /metrics (issue 19: an inconsistent checkpoint raises
 * an alarm by log line, metric and `zhengzhao log witness`). Read from the database at each scrape,
 * so every process of a node reports the same figures, whichever of them witnessed.
 *
 * - zhengzhao_witness_refused_checkpoints{origin}: checkpoints of another node's log this node
 *   refused (inconsistent, badly signed) and kept as evidence; alert on any increase.
 * - zhengzhao_witness_cosigned_size{origin}: the size of the latest checkpoint of that log this node cosigned.
 * - zhengzhao_log_size / zhengzhao_log_checkpoint_size: this node's leaves, and those its latest signed checkpoint covers.
 * - zhengzhao_log_checkpoint_cosignatures: witnesses' cosignatures on that checkpoint.
 */
export function installWitnessMetrics(register: Registry, s: Services): void {
  new Gauge({
    name: 'zhengzhao_witness_refused_checkpoints', help: 'Checkpoints of a witnessed log this node refused and kept as evidence, by origin',
    labelNames: ['origin'], registers: [register],
    async collect() {
      this.reset();
      for (const r of await s.db.query<{ origin: string; n: number }>('select origin, count(*)::int as n from witness_evidence group by origin')) this.set({ origin: r.origin }, r.n);
    },
  });
  new Gauge({
    name: 'zhengzhao_witness_cosigned_size', help: 'Size of the latest checkpoint this node cosigned, by the witnessed log\'s origin',
    labelNames: ['origin'], registers: [register],
    async collect() {
      this.reset();
      for (const r of await s.db.query<{ origin: string; size: string }>('select origin, size::text from witness_logs')) this.set({ origin: r.origin }, Number(r.size));
    },
  });
  new Gauge({
    name: 'zhengzhao_log_size', help: 'Leaves in this node\'s transparency log', registers: [register],
    async collect() { this.set(await s.log.size()); },
  });
  const latest = () => s.db.query<{ size: string; cosignatures: number }>(
    `select c.size::text, (select count(*)::int from log_cosignatures w where w.size = c.size) as cosignatures
     from log_checkpoints c order by c.size desc limit 1`);
  new Gauge({
    name: 'zhengzhao_log_checkpoint_size', help: 'Leaves covered by this node\'s latest signed checkpoint', registers: [register],
    async collect() { const [r] = await latest(); this.set(r ? Number(r.size) : 0); },
  });
  new Gauge({
    name: 'zhengzhao_log_checkpoint_cosignatures', help: 'Witness cosignatures on this node\'s latest signed checkpoint', registers: [register],
    async collect() { const [r] = await latest(); this.set(r?.cosignatures ?? 0); },
  });
}
