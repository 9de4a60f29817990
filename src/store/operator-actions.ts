import { atomically, type Queryable } from './db.js';
import { sm3 } from '../crypto/sm3.js';
import { canonicalJson } from '../domain/canonical.js';
import { leafBytes } from '../domain/log-leaf.js';
import { appendLeaves } from './transparency-log.js';

/** An operator's action on the node's configuration (seed 002 5.4.2.1 c: complete operation logs). */
export interface OperatorActionRow { id: number | string; action: string; subject: string; detail: unknown; at: Date | string }

/** SM3 of the canonical JSON of a stored action: what its leaf carries. */
export function operatorActionDigest(r: OperatorActionRow): Buffer {
  return sm3(canonicalJson({ id: String(r.id), action: r.action, subject: r.subject, detail: r.detail, at: new Date(r.at).toISOString() }));
}

/**
 * Records an action and its leaf: call it inside the action's transaction. `detail` says what was
 * done, never a secret.
 */
export async function recordOperatorAction(outer: Queryable, action: string, subject: string, detail: Record<string, unknown> = {}): Promise<void> {
  // The row and its leaf commit together, and the log's size row is claimed and advanced in one transaction.
  await atomically(outer, async (q) => {
    const [r] = await q.query<OperatorActionRow>(
      'insert into operator_actions (action, subject, detail) values ($1, $2, $3) returning *', [action, subject, JSON.stringify(detail)]);
    await appendLeaves(q, [{
      kind: 'operator', ref: String(r!.id),
      body: leafBytes({ kind: 'operator', ref: String(r!.id), at: new Date(r!.at).toISOString(), digest: operatorActionDigest(r!).toString('hex') }),
    }]);
  });
}
