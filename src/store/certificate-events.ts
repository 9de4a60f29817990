import { atomically, type Queryable } from './db.js';
import { sm3 } from '../crypto/sm3.js';
import { canonicalJson } from '../domain/canonical.js';
import { leafBytes } from '../domain/log-leaf.js';
import { appendLeaves } from './transparency-log.js';

export type LifecycleAction = 'create' | 'update' | 'delete' | 'sign' | 'change' | 'abolish' | 'suspend' | 'resume'
  /** A bulk import brought the certificate (migration 22). */
  | 'import'
  /** The hub's aggregator applied a lic_data row's I, U or D to its catalog (migration 22). */
  | 'catalog-insert' | 'catalog-update' | 'catalog-delete';

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

export interface EventRow {
  certificate_id: string; action: LifecycleAction; session_account: string | null; operator: Record<string, string>; item_code: string | null;
  item_name: string | null; biz_num: string | null; reason: string | null; related_id: string | null; at: Date | string;
}

/** One lifecycle write, and its leaf in the transparency log: call it inside the write's transaction. */
export async function recordEvent(q: Queryable, e: CertificateEvent): Promise<void> {
  await recordEvents(q, [e]);
}

export async function eventsOf(q: Queryable, certificateId: string): Promise<CertificateEvent[]> {
  const rows = await q.query<EventRow>('select * from certificate_events where certificate_id = $1 order by id', [certificateId]);
  return rows.map((r) => ({
    certificateId: r.certificate_id, action: r.action, sessionAccount: r.session_account ?? undefined, operator: r.operator,
    itemCode: r.item_code ?? undefined, itemName: r.item_name ?? undefined, bizNum: r.biz_num ?? undefined, reason: r.reason ?? undefined,
    relatedId: r.related_id ?? undefined, at: new Date(r.at),
  }));
}

/**
 * SM3 of the canonical JSON of a stored event: what its leaf carries, recomputed by the log
 * verifier from the row. The operator's name is in the row, never in the leaf.
 */
export function eventDigest(r: EventRow & { id: number | string }): Buffer {
  return sm3(canonicalJson({
    id: String(r.id), certificateId: r.certificate_id, action: r.action, sessionAccount: r.session_account ?? '', operator: r.operator,
    itemCode: r.item_code, itemName: r.item_name, bizNum: r.biz_num ?? '', reason: r.reason ?? '', relatedId: r.related_id ?? '',
    at: new Date(r.at).toISOString(),
  }));
}

/** The leaves of stored events, in id order. */
export function eventLeaves(rows: (EventRow & { id: number | string })[]) {
  return [...rows].sort((a, b) => Number(a.id) - Number(b.id)).map((r) => ({
    kind: 'certificate' as const, ref: String(r.id),
    body: leafBytes({ kind: 'certificate', ref: String(r.id), at: new Date(r.at).toISOString(), digest: eventDigest(r).toString('hex') }),
  }));
}

/** Many events in one statement (the batch path), and their leaves: call it inside the writes' transaction. */
export async function recordEvents(outer: Queryable, events: CertificateEvent[]): Promise<void> {
  if (events.length === 0) return;
  // The events and their leaves commit together, and the log's size row is claimed and advanced in one transaction.
  await atomically(outer, async (q) => {
    const rows = await q.query<EventRow & { id: number }>(
      `insert into certificate_events (certificate_id, action, session_account, operator, item_code, item_name, biz_num, reason, related_id)
       select u.id, u.action, u.session_account, u.operator::jsonb, u.item_code, u.item_name, u.biz_num, u.reason, u.related_id
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         with ordinality as u(id, action, session_account, operator, item_code, item_name, biz_num, reason, related_id, n)
       order by u.n
       returning *`,
      [events.map((e) => e.certificateId), events.map((e) => e.action), events.map((e) => e.sessionAccount ?? null), events.map((e) => JSON.stringify(e.operator)),
        events.map((e) => e.itemCode ?? null), events.map((e) => e.itemName ?? null), events.map((e) => e.bizNum ?? null), events.map((e) => e.reason ?? null),
        events.map((e) => e.relatedId ?? null)],
    );
    await appendLeaves(q, eventLeaves(rows));
  });
}
