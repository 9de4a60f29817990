import type { LayoutMetadata, LayoutAnnotation } from './layout-input.js';

/**
 * What a format's verifier (PDF or OFD) finds in a file by itself, before the core asks whether the
 * signer is trusted and the certificate is still valid. Verifiers never throw on bad input: a file
 * that is not theirs, truncated, or altered yields a result with `problems`.
 */
export interface FileInspection {
  format: 'pdf' | 'ofd';
  /** True when the file is structurally what the format says and carries a signature. */
  signed: boolean;
  /** The signature is mathematically valid over exactly the signed bytes (no byte changed). */
  signatureValid: boolean;
  /** For OFD: the seal (SESeal) inside the signature verifies against its maker's certificate. */
  sealValid?: boolean;
  /** Public key of the signature (04 ‖ x ‖ y hex), to be matched against trusted node keys. */
  signerPublicKeyHex?: string;
  /** DER of the signer's certificate as embedded in the file. */
  signerCertificateDer?: Buffer;
  /** ISO 8601, when the file states it. */
  signedAt?: string;
  metadata?: Partial<LayoutMetadata>;
  annotation?: Partial<LayoutAnnotation>;
  /** Human-readable reasons the file failed a check (English, for logs and `detail`). */
  problems: string[];
}

/** PDF files start with %PDF-; OFD files are ZIP packages (PK\x03\x04). */
export function sniffFormat(bytes: Uint8Array): 'pdf' | 'ofd' | undefined {
  if (bytes.length >= 5 && Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-') return 'pdf';
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'ofd';
  return undefined;
}
