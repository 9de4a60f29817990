/**
 * Time of one signed PDF layout file, against its baseline in the same run:
 *
 *   npm run bench:pdf -- [--count 50]
 *
 * 1. render: the unsigned page (the baseline: what issuing paid before signatures);
 * 2. render + sign: the same page with its signature field, CMS and SM2 signature;
 * 3. inspect: inspectPdf on the signed file (parse, SM3 of the ranges, SM2 verify).
 * Medians over `count` runs after a warm-up, on one core.
 */
import { renderCertificatePdf } from '../src/files/pdf-render.js';
import { renderSignedPdf } from '../src/files/pdf-sign.js';
import { inspectPdf } from '../src/files/pdf-verify.js';
import { ANNOTATION, certificateLayout, makeSigner } from '../test/support/pdf-fixtures.js';

const i = process.argv.indexOf('--count');
const COUNT = i > 0 ? Number(process.argv[i + 1]) : 50;
const signer = makeSigner();
const layout = { ...certificateLayout(), annotation: ANNOTATION };

async function median(run: () => unknown): Promise<number> {
  for (let k = 0; k < 5; k++) await run();
  const times: number[] = [];
  for (let k = 0; k < COUNT; k++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[times.length >> 1]!;
}

const render = await median(() => renderCertificatePdf(layout));
const sign = await median(() => renderSignedPdf(layout, signer));
const signed = await renderSignedPdf(layout, signer);
const inspect = await median(() => inspectPdf(signed));
console.log(JSON.stringify({ count: COUNT, bytes: signed.length, renderMs: +render.toFixed(1), renderAndSignMs: +sign.toFixed(1), signOverheadMs: +(sign - render).toFixed(1), ratio: +(sign / render).toFixed(2), inspectMs: +inspect.toFixed(1) }));
