import type { Queryable } from './db.js';

export type LifecycleAction = 'create' | 'update' | 'delete' | 'sign' | 'change' | 'abolish' | 'suspend' | 'resume';

/** One lifecycle write, with who made it and for which service item: the issuing side's audit trail. */
export interface CertificateEvent {
  certificateId: string;
  action: LifecycleAction;
  sessionAccount?: string;
  operator: Record<string, string>;
  /** Absent for an operator's administrative action (suspend, resume, abolish from the command line or admin API). */
  itemCode?: string;
  itemName?: string;
  bizNum?: string;
  reason?: string;
  relatedId?: string;
  at?: Date;
}

interface EventRow {
  certificate_id: string; action: LifecycleAction; session_account: string | null; operator: Record<string, string>; item_code: string | null;
  item_name: string | null; biz_num: string | null; reason: string | null; related_id: string | null; at: Date | string;
}

export async function recordEvent(q: Queryable, e: CertificateEvent): Promise<void> {
  await q.query(
    `insert into certificate_events (certificate_id, action, session_account, operator, item_code, item_name, biz_num, reason, related_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [e.certificateId, e.action, e.sessionAccount ?? null, JSON.stringify(e.operator), e.itemCode ?? null, e.itemName ?? null, e.bizNum ?? null,
      e.reason ?? null, e.relatedId ?? null],
  );
}

export async function eventsOf(q: Queryable, certificateId: string): Promise<CertificateEvent[]> {
  const rows = await q.query<EventRow>('select * from certificate_events where certificate_id = $1 order by id', [certificateId]);
  return rows.map((r) => ({
    certificateId: r.certificate_id, action: r.action, sessionAccount: r.session_account ?? undefined, operator: r.operator,
    itemCode: r.item_code ?? undefined, itemName: r.item_name ?? undefined, bizNum: r.biz_num ?? undefined, reason: r.reason ?? undefined,
    relatedId: r.related_id ?? undefined, at: new Date(r.at),
  }));
}

/** Many events in one statement: the batch path. */
export async function recordEvents(q: Queryable, events: CertificateEvent[]): Promise<void> {
  if (events.length === 0) return;
  await q.query(
    `insert into certificate_events (certificate_id, action, session_account, operator, item_code, item_name, biz_num, reason, related_id)
     select u.id, u.action, u.session_account, u.operator::jsonb, u.item_code, u.item_name, u.biz_num, u.reason, u.related_id
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
       with ordinality as u(id, action, session_account, operator, item_code, item_name, biz_num, reason, related_id, n)
     order by u.n`,
    [events.map((e) => e.certificateId), events.map((e) => e.action), events.map((e) => e.sessionAccount ?? null), events.map((e) => JSON.stringify(e.operator)),
      events.map((e) => e.itemCode ?? null), events.map((e) => e.itemName ?? null), events.map((e) => e.bizNum ?? null), events.map((e) => e.reason ?? null),
      events.map((e) => e.relatedId ?? null)],
  );
}
