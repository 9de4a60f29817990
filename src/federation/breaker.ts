export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker for one remote node. Closed: calls pass. After `failures` consecutive failed
 * hops it opens: calls fail at once (code 1 without waiting for a timeout), which spares the caller
 * and the failing node. After `cooldownMs` it is half-open: one trial call passes while the others
 * still fail at once; the trial's success closes the circuit, its failure opens it for another
 * cool-down. A failure is a hop that got no answer (timeout, refused connection, no national
 * envelope); any answer in the envelope, whatever its code, is the node working.
 */
export class CircuitBreaker {
  private consecutive = 0;
  private openedAt = 0;
  private opened = false;
  private trial = false;

  constructor(
    private readonly failures: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    if (!this.opened) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /** Milliseconds until a trial may pass (0 when calls pass now). */
  get retryInMs(): number {
    return this.opened ? Math.max(0, this.openedAt + this.cooldownMs - this.now()) : 0;
  }

  /**
   * Whether a call may go now. A call let through while half-open is the trial: it must report
   * its outcome (success or failure) before another may pass.
   */
  tryAcquire(): boolean {
    switch (this.state) {
      case 'closed': return true;
      case 'open': return false;
      case 'half-open':
        if (this.trial) return false;
        this.trial = true;
        return true;
    }
  }

  success(): void {
    this.consecutive = 0;
    this.opened = false;
    this.trial = false;
  }

  failure(): void {
    this.consecutive++;
    if (this.trial || this.consecutive >= this.failures) {
      this.opened = true;
      this.openedAt = this.now();
    }
    this.trial = false;
  }
}
