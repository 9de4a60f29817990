import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { CircuitBreaker } from './breaker.js';
import { BUDGET_HEADER, CORRELATION_HEADER, HOPS_HEADER } from './hop.js';
import type { HopWatch } from './hop-watch.js';

export interface HopSettings {
  timeoutMs: number;
  retries: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  /** Told of each channel and each hop (the node's metrics). */
  watch?: HopWatch;
}

/** What goes with one call besides its parameters. */
export interface HopOptions {
  correlationId: string;
  /** The hop count to send: how many nodes the call will have passed through on arrival. */
  hops: number;
  /** How long this node's own caller still waits, if it said. */
  budgetMs?: number;
  /** This call's own limit, when its flow sets one other than the channel's per-hop default (seed 004 flow f: 10 s for the hub). */
  timeoutMs?: number;
}

export type HopProblem = 'timeout' | 'unreachable' | 'circuit-open' | 'bad-answer';

/** A hop that brought back no answer in the expected form. */
export class HopError extends Error {
  constructor(readonly problem: HopProblem, message: string) {
    super(message);
    this.name = 'HopError';
  }
}

/** One HTTP answer, whole. */
export interface RawAnswer { status: number; text: string }

/** Time kept back from the caller's budget so this node's answer reaches it before it gives up. */
const BUDGET_MARGIN_MS = 100;
const BACKOFF_MS = 50;
/** How long a connection to another node stays open unused. */
const IDLE_SOCKET_MS = 60_000;

class Retriable extends Error {
  constructor(readonly hop: HopError) {
    super(hop.message);
  }
}

/**
 * The transport of every node-to-node call, whatever its envelope (the national interface, the YRD
 * direct channel): one instance per remote node, holding its kept-alive connections and its circuit
 * breaker. A call has one time budget for all its attempts: the hop timeout, or less when this
 * node's own caller waits less. An idempotent call is sent again when the first attempt cannot have
 * been answered (the connection was refused or dropped, or a proxy said 502/503/504); anything else
 * is sent once.
 */
export class HopChannel {
  readonly breaker: CircuitBreaker;
  /**
   * node:http rather than fetch: a hop is on every cross-region call, and fetch streams even a
   * string body after its headers (two writes, and more work per call); here headers and body leave
   * in one write.
   */
  private readonly agent: HttpAgent;

  constructor(
    readonly label: string,
    baseUrl: string,
    private readonly settings: HopSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.breaker = new CircuitBreaker(settings.breakerFailures, settings.breakerCooldownMs, now);
    // Kept-alive and pooled, the most recently used connection first (it is the warm one). An idle
    // connection is closed here after IDLE_SOCKET_MS, before the other node's server closes it (a
    // Fastify node waits 72 s): a call never goes out on a connection the far side is closing.
    this.agent = new (baseUrl.startsWith('https:') ? HttpsAgent : HttpAgent)({ keepAlive: true, maxSockets: 256, scheduling: 'lifo', timeout: IDLE_SOCKET_MS });
    settings.watch?.opened(this);
  }

  /** Closes idle connections (a node removed from the registry, or a process ending). */
  close(): void {
    this.settings.watch?.closed(this);
    this.agent.destroy();
  }

  /**
   * POSTs `body` (JSON text, or a function that makes it anew for each attempt: a signed message
   * the receiver accepts once) to `url` and reads the answer with `interpret`, which returns the
   * answer in the expected form or undefined when there is none (then a 502/503/504 counts as
   * unreachable, anything else as a bad answer). Any HopError counts against the breaker; an answer
   * in the expected form, whatever it says, is the node working.
   */
  async post<T>(url: string, body: string | (() => string), hop: HopOptions & { timeoutMs?: number; idempotent: boolean; headers?: Record<string, string> },
    interpret: (answer: RawAnswer) => T | undefined): Promise<T> {
    const label = this.label;
    const limit = hop.timeoutMs ?? this.settings.timeoutMs;
    const budget = Math.min(limit, hop.budgetMs !== undefined ? hop.budgetMs - BUDGET_MARGIN_MS : Infinity);
    if (budget <= 0) throw new HopError('timeout', `${label}: no time left to call it`);
    if (!this.breaker.tryAcquire()) {
      this.settings.watch?.hop(label, 0, 'circuit-open');
      throw new HopError('circuit-open', `${label}: circuit open after ${this.settings.breakerFailures} failed calls in a row; next trial in ${Math.ceil(this.breaker.retryInMs / 1000)} s`);
    }
    const deadline = this.now() + budget;
    const started = performance.now();
    const took = () => (performance.now() - started) / 1000;
    try {
      for (let attempt = 0; ; attempt++) {
        const remaining = deadline - this.now();
        if (remaining <= 0) throw new HopError('timeout', `${label} did not answer within ${budget} ms`);
        try {
          const answer = await this.attempt(url, typeof body === 'function' ? body() : body, hop, remaining, budget, interpret);
          this.breaker.success();
          this.settings.watch?.hop(label, took(), 'answered');
          return answer;
        } catch (err) {
          if (!(err instanceof Retriable)) throw err;
          const wait = BACKOFF_MS * 2 ** attempt;
          if (!hop.idempotent || attempt >= this.settings.retries || deadline - this.now() <= wait) throw err.hop;
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    } catch (err) {
      this.breaker.failure();
      const hopError = err instanceof HopError ? err : new HopError('bad-answer', `${label}: ${(err as Error).message}`);
      this.settings.watch?.hop(label, took(), hopError.problem);
      throw hopError;
    }
  }

  private async attempt<T>(url: string, body: string, hop: HopOptions & { headers?: Record<string, string> }, remaining: number, budget: number,
    interpret: (answer: RawAnswer) => T | undefined): Promise<T> {
    const label = this.label;
    let res: RawAnswer;
    try {
      res = await this.send(url, body, {
        'content-type': 'application/json',
        ...hop.headers,
        [CORRELATION_HEADER]: hop.correlationId,
        [HOPS_HEADER]: String(hop.hops),
        [BUDGET_HEADER]: String(Math.floor(remaining)),
      }, remaining);
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code === 'HOP_TIMEOUT') throw new HopError('timeout', `${label} did not answer within ${budget} ms`);
      throw new Retriable(new HopError('unreachable', `${label} cannot be reached: ${e.code ?? e.message}`));
    }
    const answer = interpret(res);
    if (answer !== undefined) return answer;
    if (res.status === 502 || res.status === 503 || res.status === 504) {
      throw new Retriable(new HopError('unreachable', `${label} answered HTTP ${res.status}`));
    }
    throw new HopError('bad-answer', `${label} answered HTTP ${res.status} without the expected envelope`);
  }

  /** One POST; rejects with code HOP_TIMEOUT when no whole answer came within `timeoutMs`. */
  private send(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<RawAnswer> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
        method: 'POST', agent: this.agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      const timeout = Object.assign(new Error('timeout'), { code: 'HOP_TIMEOUT' });
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; req.destroy(timeout); }, timeoutMs);
      // Whatever error the destroyed request or response reports then, it was the timeout.
      const fail = (err: Error) => { clearTimeout(timer); reject(timedOut ? timeout : err); };
      req.on('error', fail);
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      req.end(body);
    });
  }
}
