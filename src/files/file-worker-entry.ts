/**
 * Where a FilePool thread starts (file-worker): compiled, the .js file beside this one; under tsx,
 * the .ts file. The composition root hands it to the core's pool.
 */
export const fileWorkerEntry = new URL(import.meta.url.endsWith('.ts') ? './file-worker.ts' : './file-worker.js', import.meta.url);
