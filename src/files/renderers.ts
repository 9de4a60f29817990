import type { Renderers } from '../core/certificate-files.js';

/** The layout renderers of both formats, loaded together on first use (they bring the CJK font). */
export async function loadRenderers(): Promise<Renderers> {
  const [{ renderSignedPdf }, { renderCertificateOfd }] = await Promise.all([import('./pdf-sign.js'), import('./ofd/index.js')]);
  return {
    pdf: (input, signer) => renderSignedPdf(input, signer),
    ofd: (input, signer) => renderCertificateOfd(input, signer),
  };
}
