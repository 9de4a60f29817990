/**
 * GB/T 36904 certificate identifiers:
 * 1.2.156.3005.2 . type code (21) . issuer's unified social credit code (18) . serial . version (3) . check.
 * The check character is ISO/IEC 7064 MOD 37,36 over type + issuer + serial + version without dots.
 */
export const IDENTIFIER_ROOT = '1.2.156.3005.2';

export interface CertificateIdParts {
  typeCode: string;
  issuerCode: string;
  serial: string;
  version: string;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** ISO/IEC 7064 MOD 37,36 (hybrid system): 0-9 → 0-9, A-Z → 10-35. */
export function mod3736CheckChar(s: string): string {
  let p = 36;
  for (const ch of s) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error(`not in 0-9A-Z: ${ch}`);
    let sum = (p + v) % 36;
    if (sum === 0) sum = 36;
    p = (2 * sum) % 37;
  }
  return ALPHABET[(37 - p) % 36]!;
}

export function formatCertificateId(parts: CertificateIdParts): string {
  const body = `${parts.typeCode}${parts.issuerCode}${parts.serial}${parts.version}`;
  return `${IDENTIFIER_ROOT}.${parts.typeCode}.${parts.issuerCode}.${parts.serial}.${parts.version}.${mod3736CheckChar(body)}`;
}

export type IdentifierProblem = 'format' | 'type-code' | 'issuer-code' | 'serial' | 'version' | 'check-character';

/**
 * Parses and checks an identifier. Upper case only: the check character is computed over 0-9A-Z,
 * and accepting lower case would give one certificate two spellings.
 */
export function parseCertificateId(id: string):
  | { ok: true; parts: CertificateIdParts; check: string }
  | { ok: false; problem: IdentifierProblem; message: string } {
  if (!id.startsWith(`${IDENTIFIER_ROOT}.`)) return { ok: false, problem: 'format', message: `must start with ${IDENTIFIER_ROOT}.` };
  const rest = id.slice(IDENTIFIER_ROOT.length + 1).split('.');
  if (rest.length !== 5) return { ok: false, problem: 'format', message: 'must have five parts after the root: type.issuer.serial.version.check' };
  const [typeCode, issuerCode, serial, version, check] = rest as [string, string, string, string, string];
  if (!/^[0-9A-Z]{21}$/.test(typeCode)) return { ok: false, problem: 'type-code', message: `type code must be 21 characters 0-9A-Z, got ${typeCode.length}` };
  if (!/^[0-9A-Z]{18}$/.test(issuerCode)) return { ok: false, problem: 'issuer-code', message: 'issuer code must be an 18-character unified social credit code' };
  if (!/^[0-9A-Z]{1,32}$/.test(serial)) return { ok: false, problem: 'serial', message: 'serial must be 1-32 characters 0-9A-Z' };
  if (!/^\d{3}$/.test(version)) return { ok: false, problem: 'version', message: 'version must be 3 digits' };
  const want = mod3736CheckChar(`${typeCode}${issuerCode}${serial}${version}`);
  if (check !== want) return { ok: false, problem: 'check-character', message: 'check character does not match (ISO/IEC 7064 MOD 37,36)' };
  return { ok: true, parts: { typeCode, issuerCode, serial, version }, check };
}
