import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimitConfig } from '../config.js';
import type { RateCounts } from '../store/rate-counts.js';
import { claimedAccount } from './caller-account.js';

/**
 * Refused by the rate limit; each scope's error handler answers it (HTTP 429) in its dialect's
 * closest code (src/dialects/errors.ts, kind `too-many`).
 */
export class RateLimited extends Error {
  readonly statusCode = 429;
  readonly code = 'RATE_LIMITED';
  constructor(readonly retryAfterSeconds: number) {
    super('too many requests');
  }
}

/** A key's hits: all processes' total when last read, this process's own since, and those on their way to the database. */
interface Count { key: Buffer; local: number; shared: number; sending: number }

/**
 * A fixed-window request count per key, shared by every process on the database. A process
 * decides from what it knows: the total all processes had added when it last synchronised, plus its
 * own hits since. Every `syncMs` it adds its new hits in PostgreSQL (one statement for all keys) and
 * reads the totals back, so the decision costs no database round trip, and N processes together let
 * through at most about N × (rate × syncMs) more than the limit. Rejected requests are counted too,
 * so a caller that keeps hammering stays refused.
 *
 * Chosen over @fastify/rate-limit: its stores are per process (memory) or Redis, and this node keeps
 * its shared state in PostgreSQL only; a store for it would make a round trip per request, which the
 * benchmark of the national Retrieval cannot afford.
 */
export class RateLimiter {
  private window = -1;
  private counts = new Map<string, Count>();
  private timer?: NodeJS.Timeout;
  private syncing?: Promise<void>;

  constructor(private readonly cfg: RateLimitConfig, private readonly store: RateCounts, private readonly now: () => number = Date.now) {}

  get enabled(): boolean {
    return this.cfg.perAddress > 0 || this.cfg.perAccount > 0;
  }

  /**
   * Counts one request of this address and account; false when either is over its limit this
   * window. A key this process meets for the first time in a window is read from the database first
   * (other processes may have used it up); the address first, so a caller inventing credentials
   * costs a read only while its address is within its limit.
   */
  async hit(address: string, account: string | undefined): Promise<boolean> {
    this.roll();
    if (this.cfg.perAddress > 0 && !(await this.count(`a:${address}`, this.cfg.perAddress))) return false;
    if (this.cfg.perAccount > 0 && account !== undefined) return this.count(`c:${account}`, this.cfg.perAccount);
    return true;
  }

  /** Seconds until the current window ends. */
  retryAfter(): number {
    const ms = this.cfg.windowSeconds * 1000;
    return Math.max(1, Math.ceil((ms - (this.now() % ms)) / 1000));
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    this.timer = setInterval(() => void this.sync(), this.cfg.syncMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sync();
  }

  /** Adds this process's new hits to the shared counts and takes the totals back. */
  sync(): Promise<void> {
    this.syncing ??= this.push().finally(() => { this.syncing = undefined; });
    return this.syncing;
  }

  private async push(): Promise<void> {
    const window = this.window;
    const pending = new Map<string, { key: Buffer; n: number }>();
    for (const [name, c] of this.counts) if (c.local > 0) pending.set(name, { key: c.key, n: c.local });
    if (pending.size === 0) return;
    for (const [name, p] of pending) Object.assign(this.counts.get(name)!, { local: 0, sending: p.n });
    try {
      const totals = await this.store.add(window * this.cfg.windowSeconds, pending);
      if (window !== this.window) return;
      for (const [name, total] of totals) Object.assign(this.counts.get(name)!, { shared: total, sending: 0 });
      // Now and then, the windows before the last go (any process may do it).
      if (Math.random() < 0.05) await this.store.purge((window - 1) * this.cfg.windowSeconds);
    } catch {
      // The database is away: keep the hits, and count them locally until it is back.
      if (window !== this.window) return;
      for (const name of pending.keys()) {
        const c = this.counts.get(name)!;
        Object.assign(c, { local: c.local + c.sending, sending: 0 });
      }
    }
  }

  private roll(): void {
    const window = Math.floor(this.now() / (this.cfg.windowSeconds * 1000));
    if (window === this.window) return;
    this.window = window;
    this.counts = new Map();
  }

  /** One more hit of the key; whether it is still within the limit. */
  private async count(name: string, limit: number): Promise<boolean> {
    let c = this.counts.get(name);
    if (!c) {
      const window = this.window;
      const made: Count = { key: createHash('sha256').update(name).digest(), local: 0, shared: 0, sending: 0 };
      this.counts.set(name, made);
      c = made;
      const known = await this.store.read(window * this.cfg.windowSeconds, made.key).catch(() => 0);
      made.shared = Math.max(made.shared, known);
    }
    c.local += 1;
    return c.shared + c.sending + c.local <= limit;
  }
}

/** Installs the limit on every route but the health check, after the body is parsed (national accounts come in the body). */
export function installRateLimit(app: FastifyInstance, limiter: RateLimiter): void {
  if (!limiter.enabled) return;
  limiter.start();
  app.addHook('onClose', async () => limiter.stop());
  app.addHook('preHandler', async (req: FastifyRequest) => {
    if (req.url === '/healthz') return;
    if (!(await limiter.hit(req.ip, claimedAccount(req)))) throw new RateLimited(limiter.retryAfter());
  });
}
