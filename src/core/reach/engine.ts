import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import type { CallContext } from '../usage.js';
import { callOf } from './call.js';
import { decide, type Ask, type Place, type Way } from './decide.js';
import { asRefusal, type Outcome } from './outcomes.js';
import type { Onward, RemoteNode, RoutedOperation } from './transport.js';

/** How a call reached this node: after how many nodes (0: straight from a calling system), and how long its sender waits. */
export interface Via { hops: number; budgetMs?: number }

export const FIRST_HOP: Via = { hops: 0 };

/** What the engine needs of the sharing service: the two records it writes itself. */
export interface HopRecords {
  recordRefusal(ctx: CallContext, code: string, holderCode?: string): Promise<void>;
  recordRelayed(ctx: CallContext, upstream: string, resultCode: string, certificateIds?: string[], holderCode?: string): Promise<void>;
}

/** What a hop's answer touched, for its record. */
export type Touched<T> = (x: T) => { ids: string[]; holderCode?: string };

/**
 * Reach, the engine every call that leaves a node passes through (DESIGN "One way between
 * nodes"): `way` decides local / hub / owners / direct / upper from the request and the node's
 * place (decide.ts); `onward` gives the next hop its share of the budget; `relay` sends one hop
 * over a transport and records it once on the call object, its commit overlapping the next hop
 * when the call runs inside `ReachCall.overlapping`; `refusedHere` records a refusal this node
 * makes before any hop. The dialect faces (RoutingService for the national network, TrustedSharing
 * for YRD, the Zaozhuang relay) hold no decision of their own.
 */
export class Reach {
  constructor(
    private readonly records: HopRecords,
    readonly place: Place,
  ) {}

  /** The way of a call (`peers`: whether the region's provinces can be asked now, when that changes at run time). */
  way(ask: Ask, peers = this.place.peers): Way {
    return decide({ ...this.place, peers }, ask);
  }

  /** What goes with a hop: the reason as this node's caller stated it, the correlation ID, one more hop, the caller's time left. */
  onward(ctx: CallContext, via: Via, reason: string | undefined, timeoutMs?: number): Onward {
    return {
      reason, correlationId: ctx.correlationId!, hops: via.hops + 1,
      budgetMs: via.budgetMs, ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    };
  }

  /** Runs a check or lookup of this node; a refusal is recorded (under the call's correlation ID) and rethrown. */
  async refusedHere<T>(ctx: CallContext, holderCode: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const call = callOf(ctx);
      if (!call.wasRecorded(err)) {
        await this.records.recordRefusal(ctx, err instanceof ServiceError ? err.code : ReturnCode.Other, holderCode);
        call.noteRecorded(err);
      }
      throw err;
    }
  }

  /**
   * Sends the call to one node and records the hop: the node it went to, its result code, the
   * certificates its answer names. A node that is not registered, or does not offer the call,
   * answers 2 without a hop. The refusal comes back as an outcome, already recorded.
   */
  async relay<T>(
    ctx: CallContext, node: RemoteNode | undefined, nodeName: string, op: RoutedOperation, on: Onward,
    send: (on: Onward) => Promise<T>, touched: Touched<T>, holderCode?: string,
  ): Promise<Outcome<T>> {
    let outcome: Outcome<T>;
    if (!node) {
      outcome = { ok: false, error: new ServiceError(ReturnCode.ServiceNotProvided, `no member node is registered for data source ${nodeName}`) };
    } else if (!node.offers(op)) {
      outcome = { ok: false, error: new ServiceError(ReturnCode.ServiceNotProvided, `${node.name} does not offer this interface`) };
    } else {
      try {
        outcome = { ok: true, value: await send(on) };
      } catch (err) {
        outcome = { ok: false, error: asRefusal(err, nodeName) };
      }
    }
    const call = callOf(ctx);
    call.took(nodeName, outcome.ok ? 'answered' : outcome.error.code);
    const t = outcome.ok ? touched(outcome.value) : { ids: [] };
    await this.records.recordRelayed(ctx, nodeName, outcome.ok ? ReturnCode.Success : outcome.error.code, t.ids, t.holderCode ?? holderCode);
    if (!outcome.ok) call.noteRecorded(outcome.error);
    return outcome;
  }
}
