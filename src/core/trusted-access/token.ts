import { isAreaCode } from '../../domain/regions.js';
import { parsePermission, type Permission } from './permission.js';
import { int, openValue, signatureHolds, signValue, str, type KeyLookup, type SigningKey } from './signed-value.js';

/**
 * The natural-person trusted access token (可信访问令牌, table 9), self-contained so that any node
 * holding the issuer's public key checks it without calling back:
 *
 *   YRDT1.<base64url(JSON claims)>.<base64url(SM2 signature)>
 *
 * Claims: v (1), jti (token id, for revocation), iss (the issuing node's GB/T 2260 area code), kid
 * (the issuing node key), sub (holder code), sty (its appendix B type: 111), nam (name, when the app
 * stated it), app (the trusted app it was issued to), perm (permission.ts), auth (table 9 authType),
 * tx (transactionId), iat and exp (epoch seconds). The token is a bearer credential that names the
 * holder: it travels only over HTTPS, between the app, its node and the node it calls.
 */
export const TOKEN_PREFIX = 'YRDT1';
const MAX_TOKEN_LENGTH = 8192;

export interface TrustedGrant {
  tokenId: string;
  issuerArea: string;
  kid: string;
  holderCode: string;
  holderType: string;
  holderName?: string;
  appId: string;
  permission: Permission;
  permissionText: string;
  authType: string;
  transactionId: string;
  /** Epoch seconds. */
  issuedAt: number;
  expiresAt: number;
}

export type TokenClaims = Omit<TrustedGrant, 'permission' | 'kid'>;

export function signTrustedToken(c: TokenClaims, key: SigningKey): string {
  return signValue(TOKEN_PREFIX, {
    v: 1, jti: c.tokenId, iss: c.issuerArea, kid: key.kid, sub: c.holderCode, sty: c.holderType, ...(c.holderName ? { nam: c.holderName } : {}),
    app: c.appId, perm: c.permissionText, auth: c.authType, tx: c.transactionId, iat: c.issuedAt, exp: c.expiresAt,
  }, key);
}

export type TokenProblem = 'malformed' | 'unknown-issuer' | 'forged' | 'expired' | 'revoked';
/** A genuine token refused for its time or revocation still says whose it is (`grant`): the refusal is recorded for that holder. */
export type TokenCheck = { ok: true; grant: TrustedGrant } | { ok: false; problem: TokenProblem; detail: string; grant?: TrustedGrant };

export interface TokenCheckOptions {
  keyOf: KeyLookup;
  /** Epoch milliseconds. */
  now: number;
  /** Whether the issuer revoked it (checked last: only a genuine, unexpired token is worth asking about). */
  isRevoked?: (grant: TrustedGrant) => boolean | Promise<boolean>;
  /** Tolerated clock difference between nodes, seconds (default 5: nodes keep NTP time). */
  skewSeconds?: number;
}

/**
 * Checks a token with nothing but the issuer's public key: shape, issuer key, signature, time, and
 * last revocation. Each failure says which, so a caller can be told what to do about it.
 */
export async function verifyTrustedToken(token: string, o: TokenCheckOptions): Promise<TokenCheck> {
  const v = openValue(token, 1, MAX_TOKEN_LENGTH);
  if (!v || v.head[0] !== TOKEN_PREFIX) return { ok: false, problem: 'malformed', detail: `not a ${TOKEN_PREFIX} token` };
  const p = v.payload;
  const permText = str(p, 'perm');
  const perm = permText === undefined ? undefined : parsePermission(permText);
  const grant = {
    tokenId: str(p, 'jti'), issuerArea: str(p, 'iss'), kid: str(p, 'kid'), holderCode: str(p, 'sub'), holderType: str(p, 'sty'),
    holderName: str(p, 'nam'), appId: str(p, 'app'), permissionText: permText, authType: str(p, 'auth'), transactionId: str(p, 'tx'),
    issuedAt: int(p, 'iat'), expiresAt: int(p, 'exp'),
  };
  const missing = Object.entries(grant).filter(([k, x]) => x === undefined && k !== 'holderName').map(([k]) => k);
  if (p.v !== 1 || missing.length > 0) return { ok: false, problem: 'malformed', detail: `claims missing or of the wrong kind: ${missing.join(', ') || 'v'}` };
  if (!isAreaCode(grant.issuerArea!)) return { ok: false, problem: 'malformed', detail: 'iss is not a GB/T 2260 area code' };
  if (!perm?.ok) return { ok: false, problem: 'malformed', detail: `perm: ${perm && !perm.ok ? perm.message : ''}` };
  const publicKey = await o.keyOf(grant.kid!);
  if (!publicKey) return { ok: false, problem: 'unknown-issuer', detail: `key ${grant.kid} of area ${grant.issuerArea} is not known here` };
  if (!signatureHolds(v, publicKey)) return { ok: false, problem: 'forged', detail: 'the signature does not match the token' };
  const skew = o.skewSeconds ?? 5;
  const nowS = Math.floor(o.now / 1000);
  const full = { ...grant, permission: perm.permission, permissionText: perm.text } as TrustedGrant;
  if (grant.expiresAt! <= nowS - skew) return { ok: false, problem: 'expired', detail: `expired at ${new Date(grant.expiresAt! * 1000).toISOString()}`, grant: full };
  if (grant.issuedAt! > nowS + skew) return { ok: false, problem: 'malformed', detail: 'issued in the future' };
  if (o.isRevoked && (await o.isRevoked(full))) return { ok: false, problem: 'revoked', detail: `token ${full.tokenId} was revoked by its issuer`, grant: full };
  return { ok: true, grant: full };
}
