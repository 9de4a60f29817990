import { ReturnCode, ServiceError } from '../../domain/return-codes.js';

/** Which way a cross-province answer came (recorded with the use). */
export type AnswerPath = 'hub' | 'direct';

/**
 * Answers of the hub that are answers, not failures: "nothing found" is what the network knows.
 * Anything else the hub says (a timeout of its own, an error, a refusal) sends the request on.
 */
const HUB_ANSWERS: ReadonlySet<string> = new Set([ReturnCode.NotFound, ReturnCode.TypeNotFound]);

/** What the hub says about a certificate it found (abolished, expired, restricted) is the answer too, passed on as it came. */
const HUB_VERDICTS: ReadonlySet<string> = new Set([ReturnCode.Abolished, ReturnCode.Expired, ReturnCode.Restricted]);

/**
 * Seed 004 flow f: a province asks the national hub first; when the hub "returns an exception or
 * an error, or gives no response within 10 seconds", it asks the owning province point to point
 * over the regional channel. The hub's late answer, if one comes, is dropped.
 */
export async function hubThenDirect<T>(
  viaHub: (() => Promise<T>) | undefined,
  direct: () => Promise<T>,
  timeoutMs: number,
  empty: T,
): Promise<{ value: T; path: AnswerPath; hubProblem?: string }> {
  if (!viaHub) return { value: await direct(), path: 'direct', hubProblem: 'no hub configured' };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the hub gave no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  const hub = viaHub();
  hub.catch(() => {});
  try {
    return { value: await Promise.race([hub, timedOut]), path: 'hub' };
  } catch (err) {
    if (err instanceof ServiceError && HUB_ANSWERS.has(err.code)) return { value: empty, path: 'hub' };
    if (err instanceof ServiceError && HUB_VERDICTS.has(err.code)) throw err;
    const hubProblem = err instanceof ServiceError ? `hub answered ${err.code}` : err instanceof Error ? err.message : String(err);
    return { value: await direct(), path: 'direct', hubProblem };
  } finally {
    clearTimeout(timer);
  }
}
