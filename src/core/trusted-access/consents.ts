import { randomBytes } from 'node:crypto';
import type { Keyring } from '../../crypto/keyring.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import type { Db } from '../../store/db.js';
import type { ServiceItemRepo } from '../../store/service-items.js';
import type { TrustedAccess, TokenRequest } from './access.js';
import { parsePermission } from './permission.js';
import { TrustError } from './problems.js';

/** Table 9 authType for a token the holder approved themselves, signed in through the identity provider. */
export const HOLDER_APPROVED = '4';

export type ConsentStatus = 'pending' | 'approved' | 'refused' | 'revoked';

/** What an app asks a holder to release: to whom, for which item, why, what, until when. */
export interface ConsentRequest {
  id: string;
  appId: string;
  itemCode: string;
  itemName: string;
  itemOrg: string;
  purpose: string;
  permission: string;
  transactionId: string;
  /** How long the token lasts once approved. */
  validSeconds: number;
  status: ConsentStatus;
  createdAt: string;
  /** A pending request not decided by then lapses. */
  requestExpires: string;
  decidedAt?: string;
  tokenId?: string;
  tokenExpires?: string;
}

export interface ConsentAsk {
  transactionId?: string;
  /** 2: identity card read (idType, idNo encrypted as table 9); 3: the holder's service code scanned (serviceCode). */
  authType?: string;
  idType?: string;
  idNo?: string;
  serviceCode?: string;
  itemCode?: string;
  itemName?: string;
  itemOrg?: string;
  purpose?: string;
  permission?: string;
  validSeconds?: string;
}

const REQUEST_TTL_SECONDS = 600;
const MAX_VALID_SECONDS = 30 * 86_400;

type Row = Record<string, unknown>;

/**
 * Holder authorisation of a use (seed 004 section 4, "the holder authorises"): instead of table 9's
 * immediate token, an app asks; the request waits for the holder, who sees in the portal what would
 * be released, to whom, for which service item and until when, and approves or refuses. On approval
 * the node issues the trusted token (authType 4) and keeps it sealed until the app collects it; the
 * holder may revoke it later, which revokes the token everywhere its revocation list reaches.
 */
export class HolderConsents {
  constructor(
    private readonly db: Db,
    private readonly keys: Keyring,
    private readonly access: TrustedAccess,
    private readonly items: Pick<ServiceItemRepo, 'get'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** An app's request: the holder identified as table 9 does, the item known and named rightly, the permission well formed. */
  async ask(appId: string, a: ConsentAsk): Promise<ConsentRequest> {
    const missing = (['transactionId', 'authType', 'itemCode', 'itemName', 'itemOrg', 'purpose'] as const).filter((k) => !a[k]?.trim());
    if (missing.length > 0) throw new ServiceError(ReturnCode.RequiredMissing, undefined, missing);
    for (const k of ['transactionId', 'itemCode', 'itemName', 'itemOrg', 'purpose'] as const) {
      if ([...a[k]!].length > 256) throw new ServiceError(ReturnCode.Unparseable, 'at most 256 characters', [k]);
    }
    if (a.authType !== '2' && a.authType !== '3') throw new ServiceError(ReturnCode.Unparseable, 'must be 2 (identity card read) or 3 (service code scan)', ['authType']);
    const perm = parsePermission(a.permission ?? 'info,retrieve@*');
    if (!perm.ok) throw new ServiceError(ReturnCode.Unparseable, perm.message, ['permission']);
    const valid = a.validSeconds === undefined ? 3600 : /^\d{1,8}$/.test(a.validSeconds) ? Number(a.validSeconds) : NaN;
    if (!(valid >= 60 && valid <= MAX_VALID_SECONDS)) throw new ServiceError(ReturnCode.Unparseable, `60-${MAX_VALID_SECONDS} seconds`, ['validSeconds']);
    const item = await this.items.get(a.itemCode!.trim());
    if (!item) throw new TrustError('item-unknown', `service item ${a.itemCode} is not known here`, ['itemCode']);
    if (item.name !== a.itemName!.trim()) throw new TrustError('item-unknown', `service item ${item.code} is named ${item.name}`, ['itemName']);
    const holder = await this.access.identifyHolder(a as TokenRequest);
    const id = randomBytes(12).toString('hex');
    const expires = new Date(this.now() + REQUEST_TTL_SECONDS * 1000);
    await this.db.query(
      `insert into holder_consents (id, app_id, holder_bidx, holder, item_code, item_name, item_org, purpose, permission, transaction_id, valid_seconds, status, request_expires)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12)`,
      [id, appId, this.keys.blindIndex('holder', holder.code), this.keys.sealJson(holder, `consent:${id}`), item.code, item.name, a.itemOrg!.trim(),
        a.purpose!.trim(), perm.text, a.transactionId!.trim(), valid, expires],
    );
    return (await this.byId(id))!;
  }

  /** What the app sees: the state, and the token once approved (until it lapses or is revoked). */
  async status(appId: string, id: string): Promise<ConsentRequest & { trustedToken?: string }> {
    const rows = await this.db.query<Row>('select * from holder_consents where id = $1 and app_id = $2', [id, appId]);
    if (!rows[0]) throw new ServiceError(ReturnCode.NotFound, 'no request of this app with that id', ['requestId']);
    const r = this.toRequest(rows[0]);
    const token = rows[0].token ? this.keys.open(rows[0].token as Uint8Array, `consent-token:${id}`).toString('utf8') : undefined;
    return r.status === 'approved' && token ? { ...r, trustedToken: token } : r;
  }

  /** Every request made for a holder, newest first: pending ones to decide, decided ones to look back on or revoke. */
  async forHolder(holderCode: string): Promise<(ConsentRequest & { appName: string; itemTypeCodes: string[] })[]> {
    const rows = await this.db.query<Row>(
      `select c.*, coalesce(a.corp_name, a.name, c.app_id) as app_name from holder_consents c left join trusted_apps a using (app_id)
       where c.holder_bidx = $1 order by c.created_at desc limit 200`, [this.keys.blindIndex('holder', holderCode)]);
    const items = new Map<string, string[]>();
    for (const code of new Set(rows.map((r) => r.item_code as string))) items.set(code, (await this.items.get(code))?.typeCodes ?? []);
    return rows.map((r) => ({ ...this.toRequest(r), appName: r.app_name as string, itemTypeCodes: items.get(r.item_code as string) ?? [] }));
  }

  /** The holder approves: the token is issued now, valid for the seconds asked. */
  async approve(holderCode: string, id: string): Promise<ConsentRequest> {
    return this.db.transaction(async (tx) => {
      const row = await this.mine(tx, holderCode, id);
      const r = this.toRequest(row);
      if (r.status !== 'pending') throw new ConsentError('not-pending', `the request is ${r.status}`);
      const holder = this.keys.openJson<{ code: string; type: string; name?: string }>(row.holder as Uint8Array, `consent:${id}`);
      const expiresAt = Math.floor(this.now() / 1000) + r.validSeconds;
      const t = await this.access.issueFor(r.appId, holder, { permission: r.permission, authType: HOLDER_APPROVED, transactionId: r.transactionId }, expiresAt);
      await tx.query(
        `update holder_consents set status = 'approved', decided_at = now(), token_id = $2, token = $3, token_expires = $4 where id = $1`,
        [id, t.tokenId, this.keys.seal(t.token, `consent-token:${id}`), new Date(expiresAt * 1000)]);
      return this.toRequest((await tx.query<Row>('select * from holder_consents where id = $1', [id]))[0]!);
    });
  }

  async refuse(holderCode: string, id: string): Promise<ConsentRequest> {
    const row = await this.mine(this.db, holderCode, id);
    if (row.status !== 'pending' || this.lapsed(row)) throw new ConsentError('not-pending', `the request is ${this.toRequest(row).status}`);
    await this.db.query(`update holder_consents set status = 'refused', decided_at = now() where id = $1 and status = 'pending'`, [id]);
    return (await this.byId(id))!;
  }

  /** The holder withdraws an approval: the token is revoked (published in the revocation list) and no longer handed out. */
  async revoke(holderCode: string, id: string): Promise<ConsentRequest> {
    const row = await this.mine(this.db, holderCode, id);
    if (row.status !== 'approved') throw new ConsentError('not-approved', `the request is ${this.toRequest(row).status}`);
    await this.access.revoke(row.token_id as string);
    await this.db.query(`update holder_consents set status = 'revoked', token = null where id = $1`, [id]);
    return (await this.byId(id))!;
  }

  private async mine(q: Pick<Db, 'query'>, holderCode: string, id: string): Promise<Row> {
    if (!/^[0-9a-f]{24}$/.test(id)) throw new ConsentError('not-found', 'no such request');
    const rows = await q.query<Row>('select * from holder_consents where id = $1 and holder_bidx = $2 for update', [id, this.keys.blindIndex('holder', holderCode)]);
    if (!rows[0]) throw new ConsentError('not-found', 'no such request');
    return rows[0];
  }

  private async byId(id: string): Promise<ConsentRequest | undefined> {
    const rows = await this.db.query<Row>('select * from holder_consents where id = $1', [id]);
    return rows[0] && this.toRequest(rows[0]);
  }

  private lapsed(r: Row): boolean {
    return r.status === 'pending' && new Date(r.request_expires as string).getTime() <= this.now();
  }

  private toRequest(r: Row): ConsentRequest {
    const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : undefined);
    // A pending request past its time is shown as refused: nobody approved it.
    const status = this.lapsed(r) ? 'refused' : (r.status as ConsentStatus);
    return {
      id: r.id as string, appId: r.app_id as string, itemCode: r.item_code as string, itemName: r.item_name as string, itemOrg: r.item_org as string,
      purpose: r.purpose as string, permission: r.permission as string, transactionId: r.transaction_id as string, validSeconds: Number(r.valid_seconds),
      status, createdAt: iso(r.created_at)!, requestExpires: iso(r.request_expires)!,
      ...(r.decided_at ? { decidedAt: iso(r.decided_at) } : {}), ...(r.token_id ? { tokenId: r.token_id as string } : {}),
      ...(r.token_expires ? { tokenExpires: iso(r.token_expires) } : {}),
    };
  }
}

/** A holder's decision that cannot be made: the portal answers it in place. */
export class ConsentError extends Error {
  constructor(readonly problem: 'not-found' | 'not-pending' | 'not-approved', message: string) {
    super(message);
  }
}
