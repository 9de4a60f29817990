import { randomBytes } from 'node:crypto';
import type { Keyring } from '../../crypto/keyring.js';
import { sm2Decrypt } from '../../crypto/sm2.js';
import { sm2CiphertextFromDer } from '../../crypto/sm2-ciphertext.js';
import { canonicalJson } from '../../domain/canonical.js';
import { checkHolderCode, isValidCitizenId } from '../../domain/holder-code.js';
import { ReturnCode, ServiceError } from '../../domain/return-codes.js';
import type { IssuedTokenListing, TrustedTokenRepo } from '../../store/trusted-tokens.js';
import type { NodeKeys } from '../node-keys.js';
import { DEFAULT_PERMISSION, parsePermission } from './permission.js';
import { TrustError, type TrustProblem } from './problems.js';
import { PeerRevocations } from './revocations.js';
import { serviceCodeArea, signServiceCode, verifyServiceCode, type ServiceCodeClaims } from './service-code.js';
import type { KeyLookup } from './signed-value.js';
import { signTrustedToken, verifyTrustedToken, type TrustedGrant } from './token.js';

/** Table 9, as the app face decoded it (every value a string where given). */
export interface TokenRequest {
  transactionId?: string;
  authType?: string;
  name?: string;
  idType?: string;
  /** SM2-encrypted to the platform key: C1C3C2 (04 ‖ x ‖ y ‖ C3 ‖ C2) or its DER form, in hex or base64. */
  idNo?: string;
  /** The holder's government service code, when authType is 3 (scanned). */
  serviceCode?: string;
  location?: string;
  permission?: string;
}

/** The holder another province's service code names, as its issuing node vouches for them (authType 3 with a code of another area). */
export interface VouchedHolder { holderCode: string; holderType: string; holderName?: string }

/** Asks the node of `area` to check a service code it issued and say whose it is. */
export type IssuingNode = (area: string) => Promise<VouchedHolder>;

export interface IssuedTrustedToken { token: string; tokenId: string; expiresAt: number; permission: string; holderType: string }

/** Who presents a token: a trusted app of this node, or another province's node over the direct channel. */
export type TokenBearer = { appId: string } | { area: string };

export interface TrustedAccessOptions {
  areaCode?: string;
  tokenTtlSeconds: number;
  serviceCodeTtlSeconds: number;
  now?: () => number;
}

const AUTH_TYPES: Readonly<Record<string, string>> = { '1': 'biometric', '2': 'identity card read', '3': 'QR code scan' };

const TOKEN_PROBLEM: Readonly<Record<string, TrustProblem>> = {
  'malformed': 'token-malformed', 'unknown-issuer': 'token-issuer-unknown', 'forged': 'token-forged', 'expired': 'token-expired', 'revoked': 'token-revoked',
};
const CODE_PROBLEM: Readonly<Record<string, TrustProblem>> = {
  'malformed': 'code-malformed', 'unknown-issuer': 'code-forged', 'forged': 'code-forged', 'expired': 'code-expired',
};

/**
 * The trusted access platform of this node (seed 004 5.2, tables 7 and 9): issues natural-person
 * trusted tokens and holders' service codes, signed with the node key; checks tokens of any issuer
 * whose key it knows; keeps and publishes its revocations.
 */
export class TrustedAccess {
  readonly peerRevocations = new PeerRevocations();
  private peerKeyOf: KeyLookup = () => undefined;
  private ownKeys = new Map<string, string>();
  private readonly now: () => number;

  constructor(
    private readonly tokens: TrustedTokenRepo,
    private readonly nodeKeys: NodeKeys,
    private readonly keys: Keyring,
    private readonly o: TrustedAccessOptions,
  ) {
    this.now = o.now ?? Date.now;
  }

  /** This node's area (GB/T 2260); issuing needs it, as tokens and codes name their issuer by it. */
  get area(): string | undefined {
    return this.o.areaCode;
  }

  /** The integrator's hook: other provinces' node keys by kid (from the peer registry). */
  setPeerKeys(lookup: KeyLookup): void {
    this.peerKeyOf = lookup;
  }

  /** The public key of a kid, own keys (current and retired) first. */
  readonly keyOf: KeyLookup = async (kid) => {
    if (!this.ownKeys.has(kid)) this.ownKeys = new Map((await this.nodeKeys.published()).map((k) => [k.kid, k.publicKeyHex]));
    return this.ownKeys.get(kid) ?? this.peerKeyOf(kid);
  };

  /**
   * Table 9: checks how the person was authenticated and issues a token bound to them, the app and
   * the permission. A QR scan (authType 3) of a service code another province issued is checked by
   * that province's node (`issuingNode`, the direct channel; seed 004 flow j: the code verification
   * service calls the trusted access platform to pass the holder's trust on): what it vouches for is
   * the holder this node's token names. Without a way to the issuing node the code is refused as
   * another area's.
   */
  async issueToken(appId: string, r: TokenRequest, issuingNode?: IssuingNode): Promise<IssuedTrustedToken> {
    this.needArea();
    const missing = (['transactionId', 'authType'] as const).filter((k) => !r[k]);
    if (missing.length > 0) throw new ServiceError(ReturnCode.RequiredMissing, undefined, missing);
    if (r.transactionId!.length > 64) throw new ServiceError(ReturnCode.Unparseable, 'at most 64 characters', ['transactionId']);
    if (!AUTH_TYPES[r.authType!]) throw new ServiceError(ReturnCode.Unparseable, 'must be 1 (biometric), 2 (identity card read) or 3 (QR code scan)', ['authType']);
    if (r.name !== undefined && [...r.name].length > 64) throw new ServiceError(ReturnCode.Unparseable, 'at most 64 characters', ['name']);
    if (r.location !== undefined && [...r.location].length > 256) throw new ServiceError(ReturnCode.Unparseable, 'at most 256 characters', ['location']);
    const perm = parsePermission(r.permission ?? DEFAULT_PERMISSION);
    if (!perm.ok) throw new ServiceError(ReturnCode.Unparseable, perm.message, ['permission']);
    const holder = await this.identifyHolder(r, issuingNode);
    const issuedAt = Math.floor(this.now() / 1000);
    return this.issueFor(appId, holder, { permission: perm.text, authType: r.authType!, transactionId: r.transactionId!, location: r.location }, issuedAt + this.o.tokenTtlSeconds);
  }

  /** Who a table 9 request names: the holder of a service code (authType 3) or the decrypted identity number (1, 2). */
  async identifyHolder(r: Pick<TokenRequest, 'authType' | 'serviceCode' | 'idType' | 'idNo' | 'name'>, issuingNode?: IssuingNode): Promise<{ code: string; type: string; name?: string }> {
    if (r.authType === '3') {
      if (!r.serviceCode) throw new ServiceError(ReturnCode.RequiredMissing, 'required when authType is 3', ['serviceCode']);
      const area = issuingNode ? this.foreignCodeArea(r.serviceCode) : undefined;
      const c = area ? await vouchedBy(issuingNode!, area) : await this.readServiceCode(r.serviceCode);
      return { code: c.holderCode, type: c.holderType, name: r.name ?? c.holderName };
    }
    const absent = (['idType', 'idNo'] as const).filter((k) => !r[k]);
    if (absent.length > 0) throw new ServiceError(ReturnCode.RequiredMissing, 'required when authType is 1 or 2', absent);
    if (r.idType !== '1') throw new ServiceError(ReturnCode.BadHolderCodeType, 'only 1 (identity card) is defined', ['idType']);
    const idNo = this.decryptIdNo(r.idNo!);
    if (!isValidCitizenId(idNo)) throw new ServiceError(ReturnCode.BadHolderCodeType, 'the decrypted number is not a GB 11643 citizen identity number', ['idNo']);
    return { code: idNo, type: '111', name: r.name };
  }

  /**
   * Signs and books a token for a holder already identified (by table 9's checks, or by their own
   * approval in the portal after a real-name sign-in: authType 4), valid until `expiresAt` (epoch s).
   */
  async issueFor(appId: string, holder: { code: string; type: string; name?: string }, g: { permission: string; authType: string; transactionId: string; location?: string }, expiresAt: number): Promise<IssuedTrustedToken> {
    const area = this.needArea();
    const issuedAt = Math.floor(this.now() / 1000);
    const tokenId = randomBytes(16).toString('hex');
    const signer = this.nodeKeys.signingMaterial();
    const token = signTrustedToken({
      tokenId, issuerArea: area, holderCode: holder.code, holderType: holder.type, holderName: holder.name, appId,
      permissionText: g.permission, authType: g.authType, transactionId: g.transactionId, issuedAt, expiresAt,
    }, { kid: signer.kid, privateKeyHex: signer.privateKey });
    await this.tokens.insert({
      id: tokenId, appId, holderIndex: this.keys.blindIndex('holder', holder.code), permission: g.permission, authType: g.authType,
      transactionId: g.transactionId, location: g.location, issuedAt: new Date(issuedAt * 1000), expiresAt: new Date(expiresAt * 1000),
    });
    return { token, tokenId, expiresAt, permission: g.permission, holderType: holder.type };
  }

  /**
   * The grant a token carries, or a TrustError naming why not (malformed, unknown issuer, forged,
   * expired, revoked). A token of this node must also be on its books: one that is not was never
   * issued here, whatever its signature says.
   */
  async verifyToken(token: string): Promise<TrustedGrant> {
    if (typeof token !== 'string' || token.trim() === '') throw new ServiceError(ReturnCode.RequiredMissing, undefined, ['trustedToken']);
    const check = await verifyTrustedToken(token.trim(), {
      keyOf: this.keyOf, now: this.now(),
      isRevoked: async (g) => {
        if (await this.isOwnKey(g.kid)) return (await this.tokens.state(g.tokenId))?.revoked ?? true;
        return this.peerRevocations.isRevoked(g.issuerArea, g.tokenId);
      },
    });
    if (!check.ok) {
      const err = new TrustError(TOKEN_PROBLEM[check.problem]!, check.detail, ['trustedToken']);
      err.holderCode = check.grant?.holderCode;
      throw err;
    }
    return check.grant;
  }

  /** The token must be presented by whoever it was issued to: its app, or a node of its issuing area. */
  checkBearer(grant: TrustedGrant, bearer: TokenBearer): void {
    const ok = 'appId' in bearer ? grant.appId === bearer.appId && grant.issuerArea === this.o.areaCode : grant.issuerArea === bearer.area;
    if (!ok) throw new TrustError('token-not-yours', 'the token was issued to another app or area', ['trustedToken']);
  }

  /**
   * The tokens this node issued, newest first (the operator's `trusted-tokens list`): those still
   * good, or `all`; by app, or by holder (matched through the blind index, never stored in clear).
   */
  async listTokens(opts: { appId?: string; holderCode?: string; all?: boolean; limit?: number } = {}): Promise<IssuedTokenListing[]> {
    const holder = opts.holderCode?.trim().toUpperCase();
    if (holder !== undefined && !isValidCitizenId(holder)) throw new ServiceError(ReturnCode.BadHolderCodeType, 'not a GB 11643 citizen identity number', ['holder']);
    return this.tokens.list({
      appId: opts.appId, all: opts.all, limit: opts.limit ?? 100,
      ...(holder ? { holderIndex: this.keys.blindIndex('holder', holder) } : {}),
    });
  }

  /** Revokes a token this node issued; `appId` limits it to the app that got it. */
  async revoke(tokenId: string, appId?: string): Promise<void> {
    if (!/^[0-9a-f]{32}$/.test(tokenId) || !(await this.tokens.revoke(tokenId, appId))) {
      throw new ServiceError(ReturnCode.NotFound, appId ? 'no token of this app with that id' : `no token ${tokenId}`, ['tokenId']);
    }
  }

  /** What peers pull: this node's revoked, unexpired token IDs, signed by the node key so a relay cannot edit it. */
  async revocationList(): Promise<{ issuer: string; kid: string; at: string; tokens: { id: string; expiresAt: string }[]; signature: string }> {
    const body = {
      issuer: this.needArea(), at: new Date(this.now()).toISOString(),
      tokens: (await this.tokens.revokedUnexpired()).map((t) => ({ id: t.id, expiresAt: t.expiresAt.toISOString() })),
    };
    const { signature, kid } = this.nodeKeys.sign(Buffer.from(canonicalJson(body), 'utf8'));
    return { ...body, kid, signature };
  }

  /** Table 7's value for a holder, issued to the holder's app on the strength of a token for that holder. */
  issueServiceCode(grant: Pick<TrustedGrant, 'holderCode' | 'holderType' | 'holderName'>): { serviceCode: string; expiresAt: number } {
    const area = this.needArea();
    const issuedAt = Math.floor(this.now() / 1000);
    const expiresAt = issuedAt + this.o.serviceCodeTtlSeconds;
    const signer = this.nodeKeys.signingMaterial();
    const serviceCode = signServiceCode({
      codeId: randomBytes(8).toString('hex'), area, holderCode: grant.holderCode, holderType: grant.holderType, holderName: grant.holderName, issuedAt, expiresAt,
    }, { kid: signer.kid, privateKeyHex: signer.privateKey });
    return { serviceCode, expiresAt };
  }

  /**
   * What this node's own service code vouches for, told to another province's node that was shown
   * it (the issuing side of `issueToken`'s authType 3): the holder, once the code is genuine, this
   * node's and unexpired.
   */
  async vouchForCode(text: string): Promise<VouchedHolder> {
    const c = await this.readServiceCode(typeof text === 'string' ? text : '');
    return { holderCode: c.holderCode, holderType: c.holderType, ...(c.holderName ? { holderName: c.holderName } : {}) };
  }

  /** Whether a value is shaped like a service code (of any area). */
  isServiceCode(text: string): boolean {
    return serviceCodeArea(text) !== undefined;
  }

  /** The area of a service code another node issued (its owner decodes it); undefined for anything else. */
  foreignCodeArea(text: string): string | undefined {
    const area = serviceCodeArea(text);
    return area && area !== this.o.areaCode ? area : undefined;
  }

  /** The holder a service code of this node names; one of another area is refused as such (its owner decodes it). */
  async readServiceCode(text: string): Promise<ServiceCodeClaims> {
    const area = serviceCodeArea(text);
    if (!area) throw new TrustError('code-malformed', 'not a government service code (YRDSC1.<area>.…)', ['serviceCode']);
    if (area !== this.o.areaCode) throw new TrustError('code-foreign-area', `the code belongs to area ${area}; only its issuing node can decode it`, ['serviceCode']);
    const check = await verifyServiceCode(text.trim(), async (kid) => ((await this.isOwnKey(kid)) ? this.keyOf(kid) : undefined), this.now());
    if (!check.ok) throw new TrustError(CODE_PROBLEM[check.problem]!, check.detail, ['serviceCode']);
    return check.claims;
  }

  private async isOwnKey(kid: string): Promise<boolean> {
    await this.keyOf(kid);
    return this.ownKeys.has(kid);
  }

  private needArea(): string {
    if (!this.o.areaCode) throw new ServiceError(ReturnCode.ServiceNotProvided, 'this node has no area code (ZHENGZHAO_AREA_CODE): it cannot issue trusted tokens or service codes');
    return this.o.areaCode;
  }

  /** idNo: SM2 ciphertext to the node key, C1C3C2 raw or DER, hex or base64; 24 when it does not open. */
  private decryptIdNo(text: string): string {
    const t = text.trim();
    const bytes = /^[0-9a-fA-F]+$/.test(t) && t.length % 2 === 0 ? Buffer.from(t, 'hex')
      : /^[A-Za-z0-9+/]+={0,2}$/.test(t) ? Buffer.from(t, 'base64') : undefined;
    if (!bytes || bytes.length < 98) throw new ServiceError(ReturnCode.Unparseable, 'must be SM2 ciphertext (C1C3C2) in hex or base64', ['idNo']);
    try {
      const raw = bytes[0] === 0x30 ? sm2CiphertextFromDer(bytes) : bytes;
      return sm2Decrypt(raw, this.nodeKeys.signingMaterial().privateKey).toString('utf8').trim();
    } catch {
      throw new ServiceError(ReturnCode.Unparseable, 'does not decrypt with the platform key (SM2, C1C3C2)', ['idNo']);
    }
  }
}

/**
 * The issuing node's word on a code, checked for shape (it came signed and sealed from a registered
 * peer, but a peer's bug must not put a malformed holder into a token). No channel to the code's
 * province is refused as the code being another area's (53), as table 7 does.
 */
async function vouchedBy(issuingNode: IssuingNode, area: string): Promise<VouchedHolder> {
  let v: VouchedHolder;
  try {
    v = await issuingNode(area);
  } catch (err) {
    if (err instanceof ServiceError && !(err instanceof TrustError) && err.code === ReturnCode.ServiceNotProvided) {
      throw new TrustError('code-foreign-area', `the code belongs to area ${area}, which is not a peer of this node`, ['serviceCode']);
    }
    throw err;
  }
  const ok = v && typeof v.holderCode === 'string' && typeof v.holderType === 'string' && checkHolderCode(v.holderType, v.holderCode).ok
    && (v.holderName === undefined || (typeof v.holderName === 'string' && [...v.holderName].length <= 64));
  if (!ok) throw new ServiceError(ReturnCode.Other, `the node of area ${area} vouched for no well-formed holder`);
  return { holderCode: v.holderCode, holderType: v.holderType, ...(v.holderName ? { holderName: v.holderName } : {}) };
}
