import type { Renderers } from '../core/certificate-files.js';

/** The layout renderers of both formats, loaded together on first use (they bring the CJK font). */
export async function loadRenderers(): Promise<Renderers> {
  const [{ renderSignedPdf }, { renderCertificateOfd, annotateOfd }, { annotatePdf }] = await Promise.all([
    import('./pdf-sign.js'), import('./ofd/index.js'), import('./pdf-copy.js'),
  ]);
  return {
    pdf: (input, signer) => renderSignedPdf(input, signer),
    ofd: (input, signer) => renderCertificateOfd(input, signer),
    annotate: {
      pdf: (original, annotation, signer) => annotatePdf(original, annotation, signer, { reason: '电子证照加注件' }),
      ofd: (original, annotation, signer) => annotateOfd(original, annotation, signer),
    },
  };
}
