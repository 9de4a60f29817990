import type { Renderers } from '../core/certificate-files.js';

/** The layout renderers of both formats, loaded together on first use. */
export async function loadRenderers(): Promise<Renderers> {
  const { renderSignedPdf } = await import('./pdf-sign.js');
  return {
    pdf: (input, signer) => renderSignedPdf(input, signer),
    ofd: async () => { throw new Error('OFD rendering is not built yet'); },
  };
}
