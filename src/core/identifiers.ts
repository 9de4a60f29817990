import type { Keyring } from '../crypto/keyring.js';
import { formatCertificateId } from '../domain/identifier.js';

/**
 * A new certificate's GB/T 36904 identifier. The serial is derived from (type, issuer, number)
 * under the node's index key: the same certificate always gets the same identifier (so imports are
 * repeatable), and the serial reveals nothing about the number.
 */
export function newCertificateId(keys: Keyring, typeCode: string, issuerCode: string, number: string, version = 1): string {
  const serial = keys.blindIndex('serial', `${typeCode}\0${issuerCode}\0${number}`).toString('hex').slice(0, 20).toUpperCase();
  return formatCertificateId({ typeCode, issuerCode, serial, version: String(version).padStart(3, '0') });
}

const CHECK_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * A certificate's check code (电子证照查验码, Beijing table 5): ten characters a person can read off
 * the certificate and type, derived from the identifier under the node's index key, so it cannot
 * be computed without the node and needs no storage.
 */
export function checkCode(keys: Keyring, certificateId: string): string {
  const h = keys.blindIndex('check-code', certificateId);
  let out = '';
  for (let i = 0; i < 10; i++) out += CHECK_ALPHABET[h[i]! % 32];
  return out;
}
