import { AccountService } from '../core/accounts.js';
import { cstCompactDate } from '../domain/dates.js';
import type { AccountScheme } from '../store/accounts.js';
import type { CircuitBreaker } from './breaker.js';
import { HopChannel, type HopOptions, type HopSettings } from './hop-channel.js';

export { HopError, type HopOptions, type HopProblem, type HopSettings } from './hop-channel.js';

/** The national account a node calls another with. */
export interface NodeCredentials { accountId: string; scheme: AccountScheme; secret?: string }

/** Another node as this node calls it: a label for messages and records, its base URL, the account to use. */
export interface RemoteAddress { label: string; baseUrl: string; credentials: NodeCredentials }

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

/**
 * A client of another node's national interface (ZWFW C 0124 section 7), as any calling system
 * calls it: POST {baseUrl}/elssp/v1/{name} with AccountId and the day's AccessToken, JSON body. One
 * instance per remote node; its HopChannel holds that node's connections and circuit breaker.
 */
export class NationalClient {
  private readonly channel: HopChannel;
  private token?: { day: string; value: string };

  constructor(
    readonly address: RemoteAddress,
    settings: HopSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.channel = new HopChannel(address.label, address.baseUrl, settings, now);
  }

  get breaker(): CircuitBreaker {
    return this.channel.breaker;
  }

  /** Closes idle connections (a node removed from the registry, or a process ending). */
  close(): void {
    this.channel.close();
  }

  async call(name: string, params: Record<string, unknown>, hop: HopOptions): Promise<NationalAnswer> {
    const label = this.address.label;
    const url = `${this.address.baseUrl.replace(/\/+$/, '')}/elssp/v1/${name}`;
    const body = JSON.stringify({ AccountId: this.address.credentials.accountId, AccessToken: this.accessToken(), ...params });
    return this.channel.post(url, body, { ...hop, idempotent: READ_INTERFACES.has(name) }, (res) => {
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
      if (res.status === 404) return { status: '2', message: `${label} has no ${name} interface`, data: undefined };
      return undefined;
    });
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
}
