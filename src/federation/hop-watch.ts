import type { CircuitState } from './breaker.js';

/** How a hop ended: answered in the expected form, or the problem it met. */
export type HopOutcome = 'answered' | 'timeout' | 'unreachable' | 'circuit-open' | 'bad-answer';

/** What a channel shows of itself to the watch. */
export interface WatchedChannel { readonly label: string; readonly breaker: { readonly state: CircuitState } }

export type HopListener = (label: string, seconds: number, outcome: HopOutcome) => void;

/**
 * Every hop channel of a process, by remote node: the live channels (their circuit states are read
 * when asked) and a report of each hop as it ends. The node's metrics listen; federation knows
 * nothing of them. A channel for a label replaces the one before it (a peer whose address changed).
 */
export class HopWatch {
  private readonly live = new Map<string, WatchedChannel>();
  private readonly listeners = new Set<HopListener>();

  opened(channel: WatchedChannel): void {
    this.live.set(channel.label, channel);
  }

  closed(channel: WatchedChannel): void {
    if (this.live.get(channel.label) === channel) this.live.delete(channel.label);
  }

  hop(label: string, seconds: number, outcome: HopOutcome): void {
    for (const l of this.listeners) {
      try { l(label, seconds, outcome); } catch { /* a listener never fails a hop */ }
    }
  }

  /** Each remote node's circuit now. */
  circuits(): Array<{ label: string; state: CircuitState }> {
    return [...this.live.values()].map((c) => ({ label: c.label, state: c.breaker.state }));
  }

  /** Adds a listener; the function returned removes it. */
  listen(l: HopListener): () => void {
    this.listeners.add(l);
    return () => { this.listeners.delete(l); };
  }
}
