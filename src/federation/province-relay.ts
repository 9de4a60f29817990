import { NoAnswer, type Onward, type UpperNode } from '../core/reach/transport.js';
import { HopChannel, HopError, type HopSettings } from './hop-channel.js';

/** A city node's account at its province node (DB3704/T 0042 4.3.1: OAuth2 password grant). */
export interface ProvinceSettings {
  /** The province node's API root, e.g. http://prov:8080/license-api-release. */
  url: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  /** How long a relayed call may take (ZHENGZHAO_ZAOZHUANG_PROVINCE_TIMEOUT); the channel's per-hop default otherwise. */
  timeoutMs: number;
}

/** Where the sharing interfaces of 4.3.2-4.3.7 live under the root. */
const API = '/m/v/license/external/api';

interface Token { access: string; refresh?: string; until: number }

/**
 * The Zaozhuang city-to-province relay as a transport of the engine (interfaceType 0: province-level
 * data is the province's): the province's own Zaozhuang interface, called as any client calls it,
 * with the city's OAuth2 credentials there, over the hop channel (its kept-alive connections,
 * retries of reads, circuit breaker, correlation ID and budget headers). The token is kept until
 * shortly before it expires and renewed with its refresh token, else with the password grant; a
 * call refused for authentication (11: the token expired or was revoked on the province's side) is
 * sent once more with a fresh token. The answer comes back as the province wrote it.
 */
export class ProvinceRelay implements UpperNode {
  readonly name = 'province';
  private readonly channel: HopChannel;
  private token?: Promise<Token>;

  constructor(private readonly cfg: ProvinceSettings, settings: HopSettings, private readonly now: () => number = Date.now) {
    this.channel = new HopChannel(`the province (${cfg.url})`, cfg.url, settings, now);
  }

  get breaker() {
    return this.channel.breaker;
  }

  close(): void {
    this.channel.close();
  }

  async relay(on: Onward, iface: string, params: Readonly<Record<string, unknown>>): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.currentToken(on, attempt > 0);
      const answer = await this.post(on, `${this.cfg.url}${API}/${iface}`, JSON.stringify({ ...params, access_token: token.access }), 'application/json',
        (json) => {
          const head = (json as { head?: { status?: unknown } } | undefined)?.head;
          return head && (typeof head.status === 'string' || typeof head.status === 'number') ? json : undefined;
        });
      const status = String((answer as { head: { status: unknown } }).head.status);
      if (status === '11' && attempt === 0) continue;
      return answer;
    }
  }

  private currentToken(on: Onward, renew: boolean): Promise<Token> {
    const held = this.token;
    this.token = (async () => {
      const t = held ? await held.catch(() => undefined) : undefined;
      if (t && !renew && t.until > this.now()) return t;
      if (t?.refresh) {
        try {
          return await this.grant(on, { grant_type: 'refresh_token', refresh_token: t.refresh });
        } catch (err) {
          // the refresh token may have expired or been revoked: start over with the password
          if (err instanceof NoAnswer && err.problem !== 'credentials-refused') throw err;
        }
      }
      return this.grant(on, { grant_type: 'password', username: this.cfg.username, password: this.cfg.password, scope: 'read write' });
    })();
    // A failed grant is not kept: the next call tries again.
    const mine = this.token;
    mine.catch(() => { if (this.token === mine) this.token = undefined; });
    return mine;
  }

  private async grant(on: Onward, params: Record<string, string>): Promise<Token> {
    const body = new URLSearchParams({ client_id: this.cfg.clientId, client_secret: this.cfg.clientSecret, ...params }).toString();
    const answer = (await this.post(on, `${this.cfg.url}/oauth/token`, body, 'application/x-www-form-urlencoded',
      (json) => (json && typeof json === 'object' ? json : undefined))) as Record<string, unknown>;
    if (typeof answer.access_token !== 'string') {
      throw new NoAnswer('credentials-refused', `the province refused this node's credentials: ${String(answer.error_description ?? answer.error ?? 'no token')}`);
    }
    const ttl = typeof answer.expires_in === 'number' ? answer.expires_in : 0;
    // Renewed a little early (a minute, or a tenth of a short lifetime), so it does not expire between being chosen and being used.
    const margin = Math.min(60, ttl / 10);
    return {
      access: answer.access_token, refresh: typeof answer.refresh_token === 'string' ? answer.refresh_token : undefined,
      until: this.now() + Math.max(0, ttl - margin) * 1000,
    };
  }

  /** One POST on the hop channel; every interface relayed reads, so a failed connection is tried again. */
  private async post(on: Onward, url: string, body: string, contentType: string, read: (json: unknown) => unknown): Promise<unknown> {
    try {
      return await this.channel.post(url, body, {
        correlationId: on.correlationId, hops: on.hops, budgetMs: on.budgetMs, timeoutMs: on.timeoutMs ?? this.cfg.timeoutMs,
        idempotent: true, headers: { 'content-type': contentType },
      }, (res) => {
        try {
          return read(JSON.parse(res.text));
        } catch {
          return undefined;
        }
      });
    } catch (err) {
      if (err instanceof HopError) {
        throw new NoAnswer(err.problem, err.problem === 'timeout' ? `no answer from the province within ${Math.round((on.timeoutMs ?? this.cfg.timeoutMs) / 1000)} s` : err.message);
      }
      throw err;
    }
  }
}
