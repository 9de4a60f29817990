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
