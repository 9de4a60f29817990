import { ReturnCode, ServiceError } from '../../domain/return-codes.js';

/** One node's answer or refusal, kept apart so several can be merged. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ServiceError };

/** Codes after which a node still asks elsewhere: nothing usable here, but another region may hold it. */
export const ELSEWHERE_MAY_HAVE: ReadonlySet<string> = new Set([ReturnCode.NotFound, ReturnCode.TypeNotFound, ReturnCode.Abolished,
  ReturnCode.Expired, ReturnCode.Restricted]);

/**
 * When no node had anything, which refusal answers: that a node could not be asked first (the
 * answer is incomplete, the caller may try again), then that a certificate exists but cannot be
 * used, then the rest; "not found" only when every node said so.
 */
const PRECEDENCE: readonly string[] = [ReturnCode.ThirdPartyTimeout, ReturnCode.ServiceNotProvided, ReturnCode.Abolished, ReturnCode.Expired,
  ReturnCode.Restricted, ReturnCode.Other, ReturnCode.AuthFailed, ReturnCode.Unparseable, ReturnCode.BadHolderCodeType,
  ReturnCode.RequiredMissing, ReturnCode.TypeNotFound, ReturnCode.NotFound];

/**
 * The items of every answer, the first answer's first, each certificate once. Empty when no node
 * had any: `refusalOf` then says what to answer.
 */
export function mergedItems<T>(outcomes: readonly Outcome<T[]>[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  const items: T[] = [];
  for (const o of outcomes) {
    if (!o.ok) continue;
    for (const x of o.value) {
      const k = key(x);
      if (seen.has(k)) continue;
      seen.add(k);
      items.push(x);
    }
  }
  return items;
}

/** The refusal when no node had anything: the worst any node gave, else "not found". */
export function refusalOf(outcomes: readonly Outcome<unknown>[]): ServiceError {
  const errors = outcomes.filter((o): o is { ok: false; error: ServiceError } => !o.ok).map((o) => o.error);
  return errors.length > 0 ? worst(errors) : new ServiceError(ReturnCode.NotFound);
}

/** The refusal that answers when several nodes refused (see PRECEDENCE). */
export function worst(errors: readonly ServiceError[]): ServiceError {
  const rank = (e: ServiceError) => {
    const i = PRECEDENCE.indexOf(e.code);
    return i < 0 ? PRECEDENCE.length : i;
  };
  return [...errors].sort((a, b) => rank(a) - rank(b))[0]!;
}

/** Any failure of a transport or of the remote node, in canonical terms. */
export function asRefusal(err: unknown, nodeName: string): ServiceError {
  return err instanceof ServiceError ? err : new ServiceError(ReturnCode.Other, `${nodeName}: ${(err as Error).message}`);
}
