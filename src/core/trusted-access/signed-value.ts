import { sm2Sign, sm2Verify, SM2_DEFAULT_USER_ID } from '../../crypto/sm2.js';

/**
 * The shape shared by trusted tokens and government service codes: `<head>.<payload>.<signature>`,
 * where head is a fixed prefix (and for service codes the issuing area, readable before anything is
 * checked so a code can be routed to its owner), payload is base64url JSON, and signature is
 * base64url of the DER SM2 signature (SM3, default user ID) over the ASCII of `<head>.<payload>`.
 * Base64url keeps the value one URL- and header-safe token with no padding.
 */
export interface SigningKey { kid: string; privateKeyHex: string }

/** The issuer's public key (04 ‖ x ‖ y, hex) by key id; undefined when the key is not known here. */
export type KeyLookup = (kid: string) => string | undefined | Promise<string | undefined>;

export function signValue(head: string, payload: Record<string, unknown>, key: SigningKey): string {
  const input = `${head}.${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
  return `${input}.${sm2Sign(Buffer.from(input, 'ascii'), key.privateKeyHex, SM2_DEFAULT_USER_ID).toString('base64url')}`;
}

export interface OpenedValue { head: string[]; payload: Record<string, unknown>; signingInput: Buffer; signature: Buffer }

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Splits and decodes without checking the signature; undefined when it is not of the shape. */
export function openValue(text: string, headParts: number, maxLength: number): OpenedValue | undefined {
  if (typeof text !== 'string' || text.length > maxLength) return undefined;
  const parts = text.trim().split('.');
  if (parts.length !== headParts + 2) return undefined;
  const payloadText = parts[headParts]!;
  const sigText = parts[headParts + 1]!;
  if (!B64URL.test(payloadText) || !B64URL.test(sigText)) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(payloadText, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  return {
    head: parts.slice(0, headParts),
    payload: payload as Record<string, unknown>,
    signingInput: Buffer.from(parts.slice(0, headParts + 1).join('.'), 'ascii'),
    signature: Buffer.from(sigText, 'base64url'),
  };
}

export function signatureHolds(v: OpenedValue, publicKeyHex: string): boolean {
  return sm2Verify(v.signingInput, v.signature, publicKeyHex, SM2_DEFAULT_USER_ID);
}

/** Reads a payload claim of the expected kind; undefined when absent or of another type. */
export const str = (p: Record<string, unknown>, k: string): string | undefined => (typeof p[k] === 'string' && p[k] !== '' ? (p[k] as string) : undefined);
export const int = (p: Record<string, unknown>, k: string): number | undefined => (Number.isSafeInteger(p[k]) ? (p[k] as number) : undefined);
