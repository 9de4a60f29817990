import { randomUUID } from 'node:crypto';
import type { CallContext } from '../usage.js';

/** One leg of a call's way: where it went and what came of it (`answered`, or the code or problem). */
export interface Step { to: string; result: string }

/**
 * One sharing call as it passes through this node: the explicit object behind "every use is
 * recorded once, before the answer leaves" (DESIGN "One way between nodes").
 *
 * - The adapter makes it with the call's context (`beginCall`) and asks it, when the call fails,
 *   whether the core recorded that failure already (`wasRecorded`); only a refusal nothing recorded
 *   is recorded by the adapter. The state is this call's own, not the process's.
 * - Inside the engine, records are started but not waited for (`overlapping`): the commit of the
 *   local record runs while the call travels on to the next node, and the engine waits for every
 *   record before it hands the answer back. A record that fails fails the call.
 * - It keeps the way the call took (`steps`, `path`), for the records and for the caller.
 *
 * @example
 * const ctx = beginCall({ dialect: 'national', interface: 'Retrieval' });
 * try { … } catch (err) { if (!callOf(ctx).wasRecorded(err)) await sharing.recordRefusal(ctx, code); }
 */
export class ReachCall {
  readonly steps: Step[] = [];
  private readonly recordedErrors = new WeakSet<object>();
  private readonly pending: Promise<void>[] = [];
  private deferring = 0;

  /** Marks a failure whose use has been recorded, so nothing records it a second time. */
  noteRecorded(err: unknown): void {
    if (err !== null && typeof err === 'object') this.recordedErrors.add(err);
  }

  wasRecorded(err: unknown): boolean {
    return err !== null && typeof err === 'object' && this.recordedErrors.has(err);
  }

  /** Writes a record: at once, or, inside `overlapping`, in the background until the call settles. */
  record(write: Promise<void>): Promise<void> {
    if (this.deferring === 0) return write;
    write.catch(() => {}); // observed by settle()
    this.pending.push(write);
    return Promise.resolve();
  }

  /**
   * Runs `fn` with record commits overlapping whatever it does next (the onward hop), then waits
   * for all of them: nothing leaves before its records are committed.
   */
  async overlapping<T>(fn: () => Promise<T>): Promise<T> {
    this.deferring++;
    let out: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      out = { ok: true, value: await fn() };
    } catch (error) {
      out = { ok: false, error };
    } finally {
      this.deferring--;
    }
    if (this.deferring === 0) await this.settle();
    if (!out.ok) throw out.error;
    return out.value;
  }

  /** Notes a leg of the call's way. */
  took(to: string, result: string): void {
    this.steps.push({ to, result });
  }

  /** The way the call took, e.g. `local,hub` (a leg that brought no answer is marked `!`). */
  get path(): string {
    return this.steps.map((s) => (s.result === 'answered' || s.result === '0' || s.result === '10' ? s.to : `${s.to}!`)).join(',') || 'local';
  }

  private async settle(): Promise<void> {
    const all = this.pending.splice(0);
    const results = await Promise.allSettled(all);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** The call object of a context, made on first use (a context the adapter made without one gets its own). */
export function callOf(ctx: CallContext): ReachCall {
  return (ctx.call ??= new ReachCall());
}

/** A context with its call object and correlation ID, as an adapter starts a call. */
export function beginCall<C extends CallContext>(ctx: C): C {
  ctx.correlationId ??= randomUUID();
  ctx.call ??= new ReachCall();
  return ctx;
}
