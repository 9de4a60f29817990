import type { Queryable } from './db.js';

/**
 * A use succeeded when its dialect's own success code is recorded: ZWFW C 0124 `0` (national,
 * Sichuan, YRD, Zaozhuang), Beijing `SUCCESS`, and a file verification found valid. Anything else is
 * a refusal, grouped by its code.
 */
const SUCCEEDED = `(result_code in ('0', 'SUCCESS') or result_code like 'file:valid%')`;

export interface UsageStats {
  days: number;
  totals: { uses: number; succeeded: number; refused: number };
  perDay: { day: string; dialect: string; interface: string; succeeded: number; refused: number }[];
  refusals: { dialect: string; resultCode: string; uses: number }[];
  topTypes: { typeCode: string; typeName: string; uses: number }[];
  topCallers: { dialect: string; caller: string; uses: number }[];
}

/** What the console's dashboard charts: the usage log (用证记录) of the last `days` days, by China Standard Time day. */
export async function usageStats(db: Queryable, days: number): Promise<UsageStats> {
  const since = `at >= (date_trunc('day', now() at time zone 'Asia/Shanghai') - make_interval(days => $1 - 1)) at time zone 'Asia/Shanghai'`;
  const [perDay, refusals, topTypes, topCallers] = await Promise.all([
    db.query<{ day: string; dialect: string; interface: string; succeeded: number; refused: number }>(
      `select to_char(at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day, dialect, interface,
              count(*) filter (where ${SUCCEEDED})::int as succeeded, count(*) filter (where not ${SUCCEEDED})::int as refused
       from usage_records where ${since} group by 1, 2, 3 order by 1, 2, 3`, [days]),
    db.query<{ dialect: string; resultCode: string; uses: number }>(
      `select dialect, result_code as "resultCode", count(*)::int as uses from usage_records
       where ${since} and not ${SUCCEEDED} group by 1, 2 order by 3 desc, 1, 2 limit 20`, [days]),
    db.query<{ typeCode: string; typeName: string; uses: number }>(
      `select c.type_code as "typeCode", coalesce(t.name, c.type_code) as "typeName", count(distinct u.id)::int as uses
       from usage_records u cross join lateral unnest(u.certificate_ids) as used(id)
       join certificates c on c.id = used.id left join certificate_types t on t.code = c.type_code
       where u.${since} group by 1, 2 order by 3 desc, 1 limit 10`, [days]),
    db.query<{ dialect: string; caller: string; uses: number }>(
      `select dialect, coalesce(account_id, context->>'app', '(anonymous)') as caller, count(*)::int as uses
       from usage_records where ${since} group by 1, 2 order by 3 desc, 1, 2 limit 10`, [days]),
  ]);
  const totals = perDay.reduce((t, r) => ({ uses: t.uses + r.succeeded + r.refused, succeeded: t.succeeded + r.succeeded, refused: t.refused + r.refused }),
    { uses: 0, succeeded: 0, refused: 0 });
  return { days, totals, perDay, refusals, topTypes, topCallers };
}

export interface LogHealth {
  size: number;
  checkpoint?: { size: number; madeAt: string; cosignatures: number };
  witnesses: { name: string; url: string }[];
  witnessing: { origin: string; size: number; lastCosignedSize?: number; refused: number }[];
}

/** The transparency log's state as the dashboard shows it: its size, last checkpoint and who witnesses it, and the logs this node witnesses. */
export async function logHealth(db: Queryable): Promise<LogHealth> {
  const [size, checkpoint, witnesses, witnessing] = await Promise.all([
    db.query<{ size: number }>('select coalesce(max(idx) + 1, 0)::bigint as size from log_leaves'),
    db.query<{ size: number; made_at: Date; cosignatures: number }>(
      `select c.size, c.made_at, (select count(*)::int from log_cosignatures s where s.size = c.size) as cosignatures
       from log_checkpoints c order by c.size desc limit 1`),
    db.query<{ name: string; url: string }>('select name, url from log_witnesses order by name'),
    db.query<{ origin: string; size: number; cosigned: number | null; refused: number }>(
      `select w.origin, w.size, (select max(size) from witness_cosignatures c where c.origin = w.origin) as cosigned,
              (select count(*)::int from witness_evidence e where e.origin = w.origin) as refused
       from witness_logs w order by w.origin`),
  ]);
  const c = checkpoint[0];
  return {
    size: Number(size[0]?.size ?? 0),
    ...(c ? { checkpoint: { size: Number(c.size), madeAt: new Date(c.made_at).toISOString(), cosignatures: c.cosignatures } } : {}),
    witnesses,
    witnessing: witnessing.map((w) => ({ origin: w.origin, size: Number(w.size), ...(w.cosigned !== null ? { lastCosignedSize: Number(w.cosigned) } : {}), refused: w.refused })),
  };
}

/**
 * How far the hub's aggregator is behind the front DB (appendix H): lic_data rows written after the
 * position it has applied, as the difference of identities (exact but for rolled-back inserts).
 */
export async function aggregationLag(db: Queryable): Promise<{ behind: number; applied: number; rejected: number; updatedAt: string } | undefined> {
  const r = (await db.query<{ behind: number; applied: number; rejected: number; updated_at: Date }>(
    `select greatest(coalesce((select max("ID") from front.lic_data), 0) - s.position, 0)::bigint as behind, s.applied, s.rejected, s.updated_at
     from front.aggregation_state s`))[0];
  return r ? { behind: Number(r.behind), applied: Number(r.applied), rejected: Number(r.rejected), updatedAt: new Date(r.updated_at).toISOString() } : undefined;
}
