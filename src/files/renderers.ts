import type { Renderers } from '../core/certificate-files.js';

/** The layout renderers of both formats, loaded together on first use. */
export async function loadRenderers(): Promise<Renderers> {
  const { renderCertificatePdf } = await import('./pdf-render.js');
  return {
    pdf: async (input) => Buffer.from(await renderCertificatePdf(input)),
    ofd: async () => { throw new Error('OFD rendering is not built yet'); },
  };
}
