import type { Inspectors } from '../core/file-verification.js';

/** The format verifiers, loaded together on first use. */
export async function loadInspectors(): Promise<Inspectors> {
  const { inspectPdf } = await import('./pdf-verify.js');
  const unsigned = (format: 'pdf' | 'ofd') => ({ format, signed: false, signatureValid: false, problems: [`${format} inspection is not built yet`] });
  return { pdf: (bytes) => inspectPdf(bytes), ofd: () => unsigned('ofd') };
}
