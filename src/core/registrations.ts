import { randomBytes } from 'node:crypto';
import type { Db } from '../store/db.js';
import { recordOperatorAction } from '../store/operator-actions.js';
import { isIP } from 'node:net';
import type { Keyring } from '../crypto/keyring.js';
import { ReturnCode, ServiceError } from '../domain/return-codes.js';
import type { Registration, RegistrationRepo, RegistrationStatus } from '../store/registrations.js';
import { ipAllowed, type AuthResult } from './accounts.js';
import { tokenBytes } from '../crypto/base64url.js';

/** What a calling system says about itself when it registers. */
export interface RegistrationRequest {
  name: string;
  /** The one address it calls from. */
  address: string;
  deptCode: string;
  deptName: string;
}

export interface Registered {
  registration: Registration;
  accessToken: string;
  /** Expiry of the token, epoch seconds. */
  expires: number;
  /** False when the system was registered before: same account, fresh token. */
  created: boolean;
}

const MAX_TEXT = 200;
const TOKEN_CONTEXT = 'registration-token';

/**
 * Self-registration of calling systems (DB51/T 2942 6.6), with an administrator's approval.
 *
 * A system posts its name, address and department and gets an account ID and an access token at
 * once; until an administrator approves the registration (`zhengzhao registrations approve`), calls
 * with that token are refused as an authentication failure, and so they are from any address but
 * the registered one. Registering again with the same name and address is how a system gets a fresh
 * token when its token expires: same account, same standing, new token. The registration itself
 * must come from the address it names, so nobody can obtain a token for another system.
 *
 * The token is sealed (SM4, HMAC-SM3) under the data keyring: it names its account and expiry,
 * needs no storage, and cannot be forged, altered or extended.
 */
export class RegistrationService {
  private readonly cache = new Map<string, { registration: Registration | undefined; until: number }>();

  /** @param db where each decision is recorded as an operator action with its leaf in the transparency log. */
  constructor(private readonly repo: RegistrationRepo, private readonly keys: Keyring, private readonly tokenTtlSeconds: number, private readonly db?: Db) {}

  async register(req: RegistrationRequest, clientIp: string, now = Date.now()): Promise<Registered> {
    const fields: [keyof RegistrationRequest, string][] = [['name', 'system.name'], ['address', 'system.address'], ['deptCode', 'system.deptCode'], ['deptName', 'system.deptName']];
    const missing = fields.filter(([k]) => !req[k]?.trim()).map(([, f]) => f);
    if (missing.length > 0) throw new ServiceError(ReturnCode.RequiredMissing, undefined, missing);
    const long = fields.filter(([k]) => [...req[k]].length > MAX_TEXT).map(([, f]) => f);
    if (long.length > 0) throw new ServiceError(ReturnCode.Unparseable, `longer than ${MAX_TEXT} characters`, long);
    const address = req.address.trim();
    if (isIP(address) === 0) throw new ServiceError(ReturnCode.Unparseable, `not an IP address: ${address}`, ['system.address']);
    if (!ipAllowed([address], clientIp)) {
      throw new ServiceError(ReturnCode.AuthFailed, `a system registers from the address it names (${address}); this call came from ${clientIp}`);
    }
    const { registration, created } = await this.repo.insertOrGet({
      accountId: `REG${randomBytes(8).toString('hex').toUpperCase()}`,
      systemName: req.name.trim(), systemIp: address, deptCode: req.deptCode.trim(), deptName: req.deptName.trim(),
    });
    if (!created && (registration.deptCode !== req.deptCode.trim() || registration.deptName !== req.deptName.trim())) {
      throw new ServiceError(ReturnCode.Other, `this system is registered for another department (${registration.deptCode} ${registration.deptName})`, ['system.deptCode']);
    }
    if (registration.status === 'rejected') throw new ServiceError(ReturnCode.AuthFailed, 'this registration was rejected by the administrator');
    const { token, expires } = this.issueToken(registration.accountId, now);
    return { registration, accessToken: token, expires, created };
  }

  /** A fresh token for a registered account (the demo hands one out on every start). */
  issueToken(accountId: string, now = Date.now()): { token: string; expires: number } {
    const expires = Math.floor(now / 1000) + this.tokenTtlSeconds;
    const token = this.keys.sealJson({ a: accountId, e: expires, n: randomBytes(4).toString('base64url') }, TOKEN_CONTEXT).toString('base64url');
    return { token, expires };
  }

  list(status?: RegistrationStatus): Promise<Registration[]> {
    return this.repo.list(status);
  }

  get(accountId: string): Promise<Registration | undefined> {
    return this.repo.get(accountId);
  }

  /** Approves or rejects; a rejected registration may still be approved later, an approved one rejected (revoked). */
  async decide(accountId: string, status: Exclude<RegistrationStatus, 'pending'>): Promise<Registration> {
    const current = await this.repo.get(accountId);
    if (!current) throw new Error(`no registration ${accountId}`);
    if (current.status === status) throw new Error(`registration ${accountId} is ${status} already`);
    const updated = this.db
      ? await this.db.transaction(async (tx) => {
        const r = (await this.repo.setStatus(accountId, status, tx))!;
        await recordOperatorAction(tx, `registration.${status}`, accountId, { systemName: r.systemName });
        return r;
      })
      : (await this.repo.setStatus(accountId, status))!;
    this.cache.delete(accountId);
    return updated;
  }

  /**
   * Checks a registration's token. The token is checked first, so whether an account exists, is
   * pending or was rejected is told only to whoever holds a genuine token for it.
   */
  async authenticate(accountId: string, token: string, clientIp: string, now = Date.now()): Promise<AuthResult | undefined> {
    const registration = await this.cached(accountId, now);
    if (!registration) return undefined;
    let t: { a?: unknown; e?: unknown };
    try {
      if (!/^[A-Za-z0-9_-]{20,1024}$/.test(token)) return { ok: false, problem: 'bad-token' };
      t = this.keys.openJson(tokenBytes(token), TOKEN_CONTEXT);
    } catch {
      return { ok: false, problem: 'bad-token' };
    }
    if (t.a !== accountId || typeof t.e !== 'number') return { ok: false, problem: 'bad-token' };
    if (t.e * 1000 <= now) return { ok: false, problem: 'expired' };
    if (!ipAllowed([registration.systemIp], clientIp)) return { ok: false, problem: 'address' };
    if (registration.status !== 'approved') return { ok: false, problem: registration.status };
    return { ok: true, caller: { id: registration.accountId, name: registration.systemName } };
  }

  /** Registrations are read on every call and change rarely: keep them a few seconds (decisions made here drop the entry). */
  private async cached(id: string, nowMs: number): Promise<Registration | undefined> {
    const hit = this.cache.get(id);
    if (hit && hit.until > nowMs) return hit.registration;
    const registration = await this.repo.get(id);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { registration, until: nowMs + 5_000 });
    return registration;
  }
}
