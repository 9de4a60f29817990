import cliProgress from 'cli-progress';
import { resolve } from 'node:path';
import { openDb, openPostgres, type Db } from '../store/db.js';
import { loadConfig } from '../config.js';
import { Exchange, type ExchangeSummary } from '../core/aggregation/exchange.js';
import type { AggregateProgress, AggregateReport, AggregateSummary } from '../core/aggregation/aggregator.js';
import type { ProvinceError } from '../store/front-db.js';
import type { ReportOutcome } from '../core/aggregation/feed.js';
import type { Services } from '../node/services.js';

/** A bar on a terminal, a line every few seconds otherwise (CI logs); nothing with --json. */
export function progressView(label: string, quiet: boolean) {
  if (quiet) return { update: (_done: number, _total: number, _note = '') => {}, stop: () => {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({ format: `${label} |{bar}| {percentage}% | {value}/{total} | {note}`, stream: process.stderr },
      cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update: (done: number, total: number, note = '') => {
        if (!started) { bar.start(Math.max(total, 1), 0, { note }); started = true; }
        bar.setTotal(Math.max(total, 1));
        bar.update(done, { note });
      },
      stop: () => { if (started) bar.stop(); },
    };
  }
  let last = 0;
  return {
    update: (done: number, total: number, note = '') => {
      if (Date.now() - last < 2000 && done < total) return;
      last = Date.now();
      console.error(`${label}: ${done}/${total}${note ? ` ${note}` : ''}`);
    },
    stop: () => {},
  };
}

const aggregateNote = (p: AggregateProgress) => `${p.applied} applied, ${p.rejected} rejected`;

export async function aggregateLocal(s: Services, json: boolean): Promise<AggregateSummary> {
  const view = progressView('aggregate', json);
  try {
    return await s.aggregator.run({ onProgress: (p) => view.update(p.position - p.from, p.horizon - p.from, aggregateNote(p)) });
  } finally {
    view.stop();
  }
}

export function printAggregate(s: AggregateSummary): string {
  const rate = s.seconds > 0 ? ` (${Math.round(s.read / s.seconds)} rows/s)` : '';
  return [
    `aggregated ${s.read} lic_data rows in ${s.seconds.toFixed(1)} s${rate}: ${s.applied} applied, ${s.rejected} rejected to lic_data_error; position ${s.from} → ${s.to}`,
    ...s.batches.map((b) => `  batch ${b.batch}: ${b.read} read, ${b.applied} applied, ${b.rejected} rejected`),
  ].join('\n');
}

export function printReport(r: AggregateReport): string {
  return [
    `position ${r.position} (${r.pending} rows waiting); ${r.applied} applied and ${r.rejected} rejected in all; last run ${r.updatedAt}`,
    r.batches.length ? 'Cd_batch\treceived\tapplied\trejected\tstate' : '(no batches)',
    ...r.batches.map((b) => `${b.batch}\t${b.received}\t${b.applied}\t${b.rejected}\t${b.state}`),
  ].join('\n');
}

export function printErrors(list: ProvinceError[]): string {
  if (list.length === 0) return '(no open errors)';
  return list.map((e) => [e.id, e.sourceId, e.operation, e.time, e.batch, e.remark, e.resolvedAt ? `resolved ${e.resolvedAt}` : 'open'].join('\t')).join('\n');
}

export function printRereport(o: ReportOutcome): string {
  return [`re-reported ${o.reported} certificate(s) to lic_data`,
    ...(o.notFound.length ? [`not certificates of this node: ${o.notFound.join(' ')}`] : []),
    ...(o.drafts.length ? [`drafts, not reported: ${o.drafts.join(' ')}`] : [])].join('\n');
}

/**
 * `zhengzhao exchange`: each end a PostgreSQL URL, or the data directory of a node on the embedded
 * server (which is then shared with that node, or started for the exchange).
 */
export async function runExchange(fromUrl: string, toUrl: string, chunk: number, json: boolean): Promise<ExchangeSummary> {
  const dbs: Db[] = [];
  try {
    for (const [flag, url] of [['--from', fromUrl], ['--to', toUrl]] as const) {
      const db = /^postgres(ql)?:\/\//.test(url) ? await openPostgres(url, 2) : await openDb({ dataDir: resolve(url), poolSize: 2 });
      dbs.push(db);
      try {
        await db.query('select 1 from front.state');
      } catch {
        throw new Error(`${flag}: no front DB there (schema front, migration 009): start a zhengzhao node on that database once`);
      }
    }
    const view = progressView('exchange', json);
    try {
      return await new Exchange(dbs[0]!, dbs[1]!, chunk, loadConfig({}).aggregation.retentionDays).run((p) => view.update(p.moved, p.total, p.phase === 'rows' ? 'lic_data rows' : 'error rows back'));
    } finally {
      view.stop();
    }
  } finally {
    for (const db of dbs) await db.close();
  }
}

export function printExchange(s: ExchangeSummary): string {
  return [
    `exchanged in ${s.seconds.toFixed(1)} s: ${s.rows} lic_data row(s) to the hub, ${s.errors} lic_data_error row(s) back, ${s.resolved} error(s) resolved by later reports`,
    ...s.batches.map((b) => `  batch ${b.batch}: ${b.rows} row(s)`),
  ].join('\n');
}
