import { isAreaCode } from '../../domain/regions.js';
import { int, openValue, signatureHolds, signValue, str, type KeyLookup, type SigningKey } from './signed-value.js';

/**
 * A holder's government service code (政务服务码, table 7), as this platform issues it: a short-lived
 * signed value a holder's app shows as a QR code and a clerk scans.
 *
 *   YRDSC1.<area>.<base64url(JSON claims)>.<base64url(SM2 signature)>
 *
 * `area` is the issuing node's GB/T 2260 code, outside the payload so any node can tell whose code
 * it is before checking anything (and send it to its owner). Claims: v (1), jti, kid (the node key
 * that signed), sub (holder code), sty (appendix B type), nam (name, when known), iat, exp (epoch
 * seconds). The signature covers `YRDSC1.<area>.<payload>`, so the area cannot be swapped. About 250
 * characters: a version 10 QR symbol at level M.
 */
export const CODE_PREFIX = 'YRDSC1';
const MAX_CODE_LENGTH = 1024;

export interface ServiceCodeClaims {
  codeId: string;
  area: string;
  holderCode: string;
  holderType: string;
  holderName?: string;
  issuedAt: number;
  expiresAt: number;
}

export function signServiceCode(c: ServiceCodeClaims, key: SigningKey): string {
  return signValue(`${CODE_PREFIX}.${c.area}`, {
    v: 1, jti: c.codeId, kid: key.kid, sub: c.holderCode, sty: c.holderType, ...(c.holderName ? { nam: c.holderName } : {}),
    iat: c.issuedAt, exp: c.expiresAt,
  }, key);
}

/** The issuing area of a value shaped like a service code, before any check; undefined when it is not one. */
export function serviceCodeArea(text: string): string | undefined {
  const m = /^YRDSC1\.(\d{6})\./.exec(typeof text === 'string' ? text.trim() : '');
  return m && isAreaCode(m[1]!) ? m[1] : undefined;
}

export type ServiceCodeCheck =
  | { ok: true; claims: ServiceCodeClaims }
  | { ok: false; problem: 'malformed' | 'unknown-issuer' | 'forged' | 'expired'; detail: string };

export async function verifyServiceCode(text: string, keyOf: KeyLookup, now: number): Promise<ServiceCodeCheck> {
  const v = openValue(text, 2, MAX_CODE_LENGTH);
  if (!v || v.head[0] !== CODE_PREFIX || !isAreaCode(v.head[1]!)) return { ok: false, problem: 'malformed', detail: `not a ${CODE_PREFIX} code` };
  const p = v.payload;
  const c = { codeId: str(p, 'jti'), area: v.head[1]!, holderCode: str(p, 'sub'), holderType: str(p, 'sty'), issuedAt: int(p, 'iat'), expiresAt: int(p, 'exp') };
  const kid = str(p, 'kid');
  if (p.v !== 1 || !kid || Object.values(c).some((x) => x === undefined)) return { ok: false, problem: 'malformed', detail: 'claims missing or of the wrong kind' };
  const publicKey = await keyOf(kid);
  if (!publicKey) return { ok: false, problem: 'unknown-issuer', detail: `key ${kid} is not known here` };
  if (!signatureHolds(v, publicKey)) return { ok: false, problem: 'forged', detail: 'the signature does not match the code' };
  if (c.expiresAt! * 1000 <= now) return { ok: false, problem: 'expired', detail: `expired at ${new Date(c.expiresAt! * 1000).toISOString()}` };
  const nam = str(p, 'nam');
  return { ok: true, claims: { ...(c as ServiceCodeClaims), ...(nam ? { holderName: nam } : {}) } };
}
