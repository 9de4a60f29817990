import type { ZaozhuangResponse } from './envelope.js';
import { HEAD_TYPE } from './envelope.js';

export interface ProvinceSettings {
  /** The province node's API root, e.g. http://prov:8080/license-api-release. */
  url: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  timeoutMs: number;
}

/** Why the province could not answer: 1 (第三方接口连接超时) for the first two, 99 for the others. */
export class UpstreamError extends Error {
  constructor(readonly problem: 'unreachable' | 'timeout' | 'credentials-refused' | 'bad-answer', detail: string) {
    super(detail);
  }
}

interface Token { access: string; refresh?: string; until: number }

/**
 * A city node's client of its province node (interfaceType 0): the province's own Zaozhuang
 * interface, called as any other client calls it, with the city's OAuth2 credentials there. The
 * token is kept until shortly before it expires and renewed with its refresh token, else with the
 * password grant; a call refused for authentication (the token expired or was revoked on the
 * province's side) is retried once with a fresh token.
 */
export class ProvinceClient {
  private token?: Promise<Token>;

  constructor(private readonly cfg: ProvinceSettings, private readonly now: () => number = Date.now) {}

  /** Sends a call to the province and returns its answer as the province wrote it (a success's head.type 1 added if it left it out). */
  async call(name: string, params: Record<string, unknown>): Promise<ZaozhuangResponse> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.currentToken(attempt > 0);
      const answer = await this.post(`${this.cfg.url}/m/v/license/external/api/${name}`, JSON.stringify({ ...params, access_token: token.access }), 'application/json');
      const head = (answer as { head?: { status?: unknown } }).head;
      if (!head || (typeof head.status !== 'string' && typeof head.status !== 'number')) throw new UpstreamError('bad-answer', 'the province answered without head.status');
      if (String(head.status) === '11' && attempt === 0) continue;
      const r = answer as ZaozhuangResponse;
      // Whatever answers a province-level call is the province: a success says so even if its head leaves type out.
      if (String(r.head.status) === '0') r.head.type ??= HEAD_TYPE.province;
      return r;
    }
  }

  private currentToken(renew: boolean): Promise<Token> {
    const held = this.token;
    this.token = (async () => {
      const t = held ? await held.catch(() => undefined) : undefined;
      if (t && !renew && t.until > this.now()) return t;
      if (t?.refresh) {
        try {
          return await this.grant({ grant_type: 'refresh_token', refresh_token: t.refresh });
        } catch {
          // the refresh token may have expired or been revoked: start over with the password
        }
      }
      return this.grant({ grant_type: 'password', username: this.cfg.username, password: this.cfg.password, scope: 'read write' });
    })();
    // A failed grant is not kept: the next call tries again.
    const mine = this.token;
    mine.catch(() => { if (this.token === mine) this.token = undefined; });
    return mine;
  }

  private async grant(params: Record<string, string>): Promise<Token> {
    const body = new URLSearchParams({ client_id: this.cfg.clientId, client_secret: this.cfg.clientSecret, ...params }).toString();
    const answer = (await this.post(`${this.cfg.url}/oauth/token`, body, 'application/x-www-form-urlencoded')) as Record<string, unknown>;
    if (typeof answer.access_token !== 'string') {
      throw new UpstreamError('credentials-refused', `the province refused this node's credentials: ${String(answer.error_description ?? answer.error ?? 'no token')}`);
    }
    const ttl = typeof answer.expires_in === 'number' ? answer.expires_in : 0;
    // Renewed a little early (a minute, or a tenth of a short lifetime), so it does not expire between being chosen and being used.
    const margin = Math.min(60, ttl / 10);
    return {
      access: answer.access_token, refresh: typeof answer.refresh_token === 'string' ? answer.refresh_token : undefined,
      until: this.now() + Math.max(0, ttl - margin) * 1000,
    };
  }

  private async post(url: string, body: string, contentType: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType }, signal: AbortSignal.timeout(this.cfg.timeoutMs) });
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new UpstreamError('timeout', `no answer from the province within ${this.cfg.timeoutMs / 1000} s`);
      throw new UpstreamError('unreachable', `the province cannot be reached: ${((err as Error & { cause?: Error }).cause ?? (err as Error)).message}`);
    }
    try {
      return await res.json();
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw new UpstreamError('timeout', `no answer from the province within ${this.cfg.timeoutMs / 1000} s`);
      throw new UpstreamError('bad-answer', `the province answered HTTP ${res.status} without JSON`);
    }
  }
}
