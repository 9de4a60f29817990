import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { AccountService } from '../core/accounts.js';
import { cstCompactDate } from '../domain/dates.js';
import type { AccountScheme } from '../store/accounts.js';
import { CircuitBreaker } from './breaker.js';
import { BUDGET_HEADER, CORRELATION_HEADER, HOPS_HEADER } from './hop.js';

/** The national account a node calls another with. */
export interface NodeCredentials { accountId: string; scheme: AccountScheme; secret?: string }

/** Another node as this node calls it: a label for messages and records, its base URL, the account to use. */
export interface RemoteAddress { label: string; baseUrl: string; credentials: NodeCredentials }

export interface HopSettings {
  timeoutMs: number;
  retries: number;
  breakerFailures: number;
  breakerCooldownMs: number;
}

/** What goes with one call besides its parameters. */
export interface HopOptions {
  correlationId: string;
  /** The hop count to send: how many nodes the call will have passed through on arrival. */
  hops: number;
  /** How long this node's own caller still waits, if it said. */
  budgetMs?: number;
}

export type HopProblem = 'timeout' | 'unreachable' | 'circuit-open' | 'bad-answer';

/** A hop that brought back no national answer. */
export class HopError extends Error {
  constructor(readonly problem: HopProblem, message: string) {
    super(message);
    this.name = 'HopError';
  }
}

/** An answer in the national envelope, whatever its code. */
export interface NationalAnswer { status: string; message: string; data: unknown }

/**
 * The national interfaces that only read. A read may be sent again when the first attempt cannot
 * have been answered (the connection was refused or dropped, or a proxy said 502/503/504); anything
 * else is sent once. Every call a node forwards today is a read; the list keeps the rule explicit
 * for whatever call is added next.
 */
export const READ_INTERFACES: ReadonlySet<string> = new Set([
  'Retrieval', 'GetCertificateFileByHolder', 'GetCertificateFileByCertificateID', 'GetCertificateDataByHolder',
  'GetCertificateDataByCertificateID', 'GetCertificateType', 'VerifyCertificate',
]);

/** Time kept back from the caller's budget so this node's answer reaches it before it gives up. */
const BUDGET_MARGIN_MS = 100;
const BACKOFF_MS = 50;

class Retriable extends Error {
  constructor(readonly hop: HopError) {
    super(hop.message);
  }
}

/**
 * A client of another node's national interface (ZWFW C 0124 section 7), as any calling system
 * calls it: POST {baseUrl}/elssp/v1/{name} with AccountId and the day's AccessToken, JSON body. One
 * instance per remote node, holding that node's circuit breaker. A hop has one time budget for all
 * its attempts: the configured per-hop timeout, or less when this node's own caller waits less.
 */
export class NationalClient {
  readonly breaker: CircuitBreaker;
  private token?: { day: string; value: string };
  /**
   * Kept-alive connections to this node. node:http rather than fetch: a hop is on every cross-region
   * call, and fetch streams even a string body after its headers (two writes, and more work per
   * call); here headers and body leave in one write.
   */
  private readonly agent: HttpAgent;

  constructor(
    readonly address: RemoteAddress,
    private readonly settings: HopSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.breaker = new CircuitBreaker(settings.breakerFailures, settings.breakerCooldownMs, now);
    const https = address.baseUrl.startsWith('https:');
    this.agent = new (https ? HttpsAgent : HttpAgent)({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });
  }

  /** Closes idle connections (a node removed from the registry, or a process ending). */
  close(): void {
    this.agent.destroy();
  }

  async call(name: string, params: Record<string, unknown>, hop: HopOptions): Promise<NationalAnswer> {
    const label = this.address.label;
    const budget = Math.min(this.settings.timeoutMs, hop.budgetMs !== undefined ? hop.budgetMs - BUDGET_MARGIN_MS : Infinity);
    if (budget <= 0) throw new HopError('timeout', `${label}: no time left to call it`);
    if (!this.breaker.tryAcquire()) {
      throw new HopError('circuit-open', `${label}: circuit open after ${this.settings.breakerFailures} failed calls in a row; next trial in ${Math.ceil(this.breaker.retryInMs / 1000)} s`);
    }
    const deadline = this.now() + budget;
    const retriable = READ_INTERFACES.has(name);
    const url = `${this.address.baseUrl.replace(/\/+$/, '')}/elssp/v1/${name}`;
    const body = JSON.stringify({ AccountId: this.address.credentials.accountId, AccessToken: this.accessToken(), ...params });
    try {
      for (let attempt = 0; ; attempt++) {
        const remaining = deadline - this.now();
        if (remaining <= 0) throw new HopError('timeout', `${label} did not answer within ${budget} ms`);
        try {
          const answer = await this.post(url, body, hop, remaining, budget);
          this.breaker.success();
          return answer;
        } catch (err) {
          if (!(err instanceof Retriable)) throw err;
          const wait = BACKOFF_MS * 2 ** attempt;
          if (!retriable || attempt >= this.settings.retries || deadline - this.now() <= wait) throw err.hop;
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    } catch (err) {
      this.breaker.failure();
      throw err instanceof HopError ? err : new HopError('bad-answer', `${label}: ${(err as Error).message}`);
    }
  }

  /** Today's token (China Standard Time), computed once a day. */
  private accessToken(): string {
    const day = cstCompactDate(new Date(this.now()));
    if (this.token?.day !== day) {
      const c = this.address.credentials;
      this.token = { day, value: AccountService.expectedToken({ id: c.accountId, scheme: c.scheme, secret: c.secret }, day) };
    }
    return this.token.value;
  }

  private async post(url: string, body: string, hop: HopOptions, remaining: number, budget: number): Promise<NationalAnswer> {
    const label = this.address.label;
    let res: { status: number; text: string };
    try {
      res = await this.send(url, body, {
        'content-type': 'application/json',
        [CORRELATION_HEADER]: hop.correlationId,
        [HOPS_HEADER]: String(hop.hops),
        [BUDGET_HEADER]: String(Math.floor(remaining)),
      }, remaining);
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code === 'HOP_TIMEOUT') throw new HopError('timeout', `${label} did not answer within ${budget} ms`);
      throw new Retriable(new HopError('unreachable', `${label} cannot be reached: ${e.code ?? e.message}`));
    }
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      json = undefined;
    }
    const head = (json as { head?: { status?: unknown; message?: unknown } } | undefined)?.head;
    if (head && (typeof head.status === 'string' || typeof head.status === 'number')) {
      return { status: String(head.status), message: typeof head.message === 'string' ? head.message : '', data: (json as { data?: unknown }).data };
    }
    // A node without this interface at all (not a zhengzhao node, or an older one) answers a bare 404.
    if (res.status === 404) return { status: '2', message: `${label} has no ${url.split('/').pop()} interface`, data: undefined };
    if (res.status === 502 || res.status === 503 || res.status === 504) {
      throw new Retriable(new HopError('unreachable', `${label} answered HTTP ${res.status}`));
    }
    throw new HopError('bad-answer', `${label} answered HTTP ${res.status} without the national envelope`);
  }

  /** One POST; rejects with code HOP_TIMEOUT when no whole answer came within `timeoutMs`. */
  private send(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; text: string }> {
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
