import type { Inspectors } from '../core/file-verification.js';

/** The format verifiers, loaded together on first use. */
export async function loadInspectors(): Promise<Inspectors> {
  const [{ inspectPdf }, { inspectOfd }] = await Promise.all([import('./pdf-verify.js'), import('./ofd/index.js')]);
  return { pdf: (bytes) => inspectPdf(bytes), ofd: (bytes) => inspectOfd(bytes) };
}
