import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Db } from '../store/db.js';
import { recordOperatorAction } from '../store/operator-actions.js';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hmacSm3, sm3Hex } from '../crypto/sm3.js';
import { cstCompactDate } from '../domain/dates.js';
import type { Account, AccountRepo, AccountScheme } from '../store/accounts.js';

export interface NewAccount { id: string; name: string; scheme: AccountScheme; allowedIps: string[] }

/** Who called, once authenticated. */
export interface Caller { id: string; name: string }

/**
 * Why a caller was not let in. Every one is an authentication failure to the outside (national and
 * Sichuan code 11); the reason lets a dialect say more to a caller whose token was genuine.
 */
export type AuthProblem = 'bad-token' | 'expired' | 'address' | 'pending' | 'rejected' | 'disabled';
export type AuthResult = { ok: true; caller: Caller } | { ok: false; problem: AuthProblem };

/** Registered systems (DB51/T 2942 6.6) are authenticated here too, so every interface admits them alike. */
export interface RegisteredCallers {
  authenticate(accountId: string, token: string, clientIp: string, now?: number): Promise<AuthResult | undefined>;
  get(accountId: string): Promise<unknown>;
}

/**
 * Calling systems and the national AccessToken scheme (ZWFW C 0124 7.1, appendix C).
 *
 * hmac-sm3 (default): AccessToken = hex HMAC-SM3(secret, AccountId + yyyyMMdd).
 * appendix-c: AccessToken = hex SM3(AccountId + yyyyMMdd), exactly as the reference client computes
 * it. Anyone who knows the account ID can compute that, so it is allowed only for accounts created
 * with it explicitly, and only from their listed addresses.
 */
export class AccountService {
  private readonly cache = new Map<string, { account: Account | undefined; until: number }>();

  /** @param db where each account made is recorded as an operator action with its leaf in the transparency log. */
  constructor(private readonly repo: AccountRepo, private readonly skewSeconds: number, private readonly registered?: RegisteredCallers, private readonly db?: Db) {}

  async create(a: NewAccount): Promise<{ id: string; name: string; scheme: AccountScheme; secret?: string; allowedIps: string[] }> {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(a.id)) throw new Error('account id: 1-64 letters, digits, _ . -');
    for (const cidr of a.allowedIps) parseCidr(cidr);
    if (a.scheme === 'appendix-c' && a.allowedIps.length === 0) {
      throw new Error('an appendix-c account must list the addresses it calls from (--ip CIDR)');
    }
    if (this.registered && (await this.registered.get(a.id))) throw new Error(`account ${a.id} already exists (a registered system)`);
    const secret = a.scheme === 'hmac-sm3' ? randomBytes(24).toString('base64url') : undefined;
    const account = { ...a, secret, disabled: false };
    const created = this.db
      ? await this.db.transaction(async (tx) => {
        const made = await this.repo.insert(account, tx);
        if (made) await recordOperatorAction(tx, 'account.create', a.id, { name: a.name, scheme: a.scheme, allowedIps: a.allowedIps });
        return made;
      })
      : await this.repo.insert(account);
    if (!created) throw new Error(`account ${a.id} already exists`);
    this.cache.delete(a.id);
    return { id: a.id, name: a.name, scheme: a.scheme, secret, allowedIps: a.allowedIps };
  }

  list() {
    return this.repo.list();
  }

  /** The token the scheme expects for the given day (yyyyMMdd, China Standard Time). */
  static expectedToken(account: Pick<Account, 'id' | 'scheme' | 'secret'>, day: string): string {
    return account.scheme === 'appendix-c'
      ? sm3Hex(account.id + day)
      : hmacSm3(Buffer.from(account.secret ?? '', 'utf8'), account.id + day).toString('hex');
  }

  /** The caller when the credentials are good (see check), else undefined. */
  async authenticate(accountId: string, accessToken: string, clientIp: string, now = new Date()): Promise<Caller | undefined> {
    const r = await this.check(accountId, accessToken, clientIp, now);
    return r.ok ? r.caller : undefined;
  }

  /**
   * A national account: the token must be right for today (or a neighbouring day within the skew)
   * and the address allowed. Otherwise a registered system: its sealed token, its address, and an
   * administrator's approval.
   */
  async check(accountId: string, accessToken: string, clientIp: string, now = new Date()): Promise<AuthResult> {
    const account = await this.cached(accountId, now.getTime());
    if (!account) return (await this.registered?.authenticate(accountId, accessToken, clientIp, now.getTime())) ?? { ok: false, problem: 'bad-token' };
    // The token first, so only its holder learns why a genuine token was refused.
    const skew = this.skewSeconds * 1000;
    const days = new Set([cstCompactDate(now), cstCompactDate(new Date(now.getTime() - skew)), cstCompactDate(new Date(now.getTime() + skew))]);
    const given = Buffer.from(accessToken.toLowerCase(), 'utf8');
    const genuine = [...days].some((day) => {
      const want = Buffer.from(AccountService.expectedToken(account, day), 'utf8');
      return want.length === given.length && timingSafeEqual(want, given);
    });
    if (!genuine) return { ok: false, problem: 'bad-token' };
    if (account.disabled) return { ok: false, problem: 'disabled' };
    if (account.allowedIps.length > 0 && !ipAllowed(account.allowedIps, clientIp)) return { ok: false, problem: 'address' };
    return { ok: true, caller: { id: account.id, name: account.name } };
  }

  /** Accounts change rarely and are read on every call: keep them for a few seconds. */
  private async cached(id: string, nowMs: number): Promise<Account | undefined> {
    const hit = this.cache.get(id);
    if (hit && hit.until > nowMs) return hit.account;
    const account = await this.repo.get(id);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { account, until: nowMs + 5_000 });
    return account;
  }
}

function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address = '', prefixText] = cidr.split('/');
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (!family) throw new Error(`not an IP address or CIDR: ${cidr}`);
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`bad prefix in ${cidr}`);
  return { address, prefix, family };
}

export function ipAllowed(cidrs: readonly string[], ip: string): boolean {
  const list = new BlockList();
  for (const c of cidrs) {
    const { address, prefix, family } = parseCidr(c);
    list.addSubnet(address, prefix, family);
  }
  const mapped = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  const family = isIPv4(mapped) ? 'ipv4' : isIPv6(mapped) ? 'ipv6' : undefined;
  return family !== undefined && list.check(mapped, family);
}
