import type { FastifyInstance } from 'fastify';
import type { Services } from '../../node/services.js';
import type { UsageRow } from '../../core/usage.js';
import { verifyLogLocally } from '../../core/log-verify.js';
import type { NewSeal } from '../../core/seals.js';
import { S } from './schemas.js';

type UsageQuery = { holder?: string; dialect?: string; since?: string; limit?: number };

const CSV_COLUMNS: (keyof UsageRow)[] = ['id', 'at', 'dialect', 'interface', 'accountId', 'operator', 'itemCode', 'itemName', 'reason', 'bizNum', 'certificateIds', 'resultCode', 'clientIp', 'correlationId', 'hash'];

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading =+-@ is defused for spreadsheets. */
function csvField(v: unknown): string {
  let t = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v);
  if (/^[=+\-@]/.test(t)) t = `'${t}`;
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** Usage (用证记录): search, CSV export, the transparency log's verification; and seals (电子印章). */
export function usageRoutes(app: FastifyInstance, s: Services): void {
  const search = async (q: UsageQuery) => {
    const rows = await s.usage.list({ holderCode: q.holder?.trim() || undefined, since: q.since ? new Date(`${q.since}T00:00:00+08:00`) : undefined, limit: q.limit ?? 200 });
    return q.dialect ? rows.filter((r) => r.dialect === q.dialect) : rows;
  };
  app.get<{ Querystring: UsageQuery }>('/usage', { schema: { querystring: S.usageQuery } }, async (req) => search(req.query));
  app.get<{ Querystring: UsageQuery }>('/usage.csv', { schema: { querystring: S.usageQuery } }, async (req, reply) => {
    const rows = await search({ ...req.query, limit: req.query.limit ?? 10000 });
    const lines = [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(','))];
    // A byte order mark so spreadsheet programs read the Chinese text as UTF-8.
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="usage.csv"').send('\ufeff' + lines.join('\r\n') + '\r\n');
  });
  app.get('/log/verify', async () => verifyLogLocally(s.db));

  app.get('/seals', async () => s.seals.list());
  app.post<{ Body: NewSeal }>('/seals', { schema: { body: S.newSeal } }, async (req) => s.seals.add(req.body));
}
