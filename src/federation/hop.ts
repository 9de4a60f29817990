import { randomUUID } from 'node:crypto';
import type { Via } from '../core/reach/engine.js';

/**
 * What travels with a call from node to node besides the national parameters, as HTTP headers (the
 * national interface has no field for them; a caller that sends none is a first hop):
 * - the correlation ID, under which every node writes its usage record of the call;
 * - how many nodes the call has passed through: a call that comes from another node is answered
 *   from the receiving node's own data, never sent on again, so no request can loop;
 * - how long the sender will wait, so a hop further on gives up (and answers 1) before the sender does.
 */
export const CORRELATION_HEADER = 'x-correlation-id';
export const HOPS_HEADER = 'x-zhengzhao-hops';
export const BUDGET_HEADER = 'x-zhengzhao-budget-ms';
/** In an answer: the way the call took at the node that answered (the engine's report, core/reach/call.ts). */
export const PATH_HEADER = 'x-zhengzhao-path';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The caller's correlation ID when it sent a well-formed one, else a new one. */
export function correlationIdOf(headers: Headers): string {
  const given = first(headers[CORRELATION_HEADER])?.trim();
  return given && CORRELATION_ID.test(given) ? given : randomUUID();
}

/** The hops and time budget a call arrived with (0 hops and no budget for a caller's own request). */
export function viaOf(headers: Headers): Via {
  const hops = Number(first(headers[HOPS_HEADER]) ?? 0);
  const budget = Number(first(headers[BUDGET_HEADER]));
  return {
    hops: Number.isInteger(hops) && hops > 0 ? Math.min(hops, 16) : 0,
    ...(Number.isFinite(budget) && budget > 0 ? { budgetMs: budget } : {}),
  };
}
