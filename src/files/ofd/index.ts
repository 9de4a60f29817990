/** OFD layout files (GB/T 33190) stamped with GB/T 38540 seals: what the rest of the platform calls. */
export { renderCertificateOfd } from './render.js';
export { inspectOfd } from './verify.js';
export { annotateOfd } from './copy.js';
