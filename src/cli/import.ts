import cliProgress from 'cli-progress';
import type { Services } from '../node/services.js';
import type { ImportProgress, ImportReport, Rejection } from '../core/importer.js';

/** A progress bar on a terminal, a line every few seconds otherwise (CI logs). */
function progressView(totalBytes: number, quiet: boolean) {
  if (quiet) return { update: (_p: ImportProgress) => {}, stop: () => {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({
      format: 'import |{bar}| {percentage}% | {lines} lines | {inserted} new, {existing} present, {rejected} rejected | {rate}/s',
      stream: process.stderr,
    }, cliProgress.Presets.shades_classic);
    const started = Date.now();
    bar.start(Math.max(totalBytes, 1), 0, { lines: 0, inserted: 0, existing: 0, rejected: 0, rate: 0 });
    return {
      update: (p: ImportProgress) => bar.update(p.bytes, { ...p, rate: Math.round(p.lines / Math.max((Date.now() - started) / 1000, 0.001)) }),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (p: ImportProgress) => {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      const pct = totalBytes ? ` (${((100 * p.bytes) / totalBytes).toFixed(1)}%)` : '';
      console.error(`import: ${p.lines} lines${pct}, ${p.inserted} new, ${p.existing} present, ${p.rejected} rejected`);
    },
    stop: () => {},
  };
}

/** How many rejected line numbers the closing summary lists (each was printed as it was met). */
const LISTED = 20;

export async function runImportLocal(s: Services, file: string, size: number, json: boolean, makeFiles = true): Promise<ImportReport & { rejectedLines: number[] }> {
  const view = progressView(size, json);
  const { importer, close } = s.importer();
  const rejectedLines: number[] = [];
  const onReject = (r: Rejection) => {
    if (rejectedLines.length < LISTED) rejectedLines.push(r.line);
    console.error(`line ${r.line}: ${r.reason}`);
  };
  try {
    return { ...await importer.importFile(file, size, { onProgress: view.update, onReject, makeFiles }), rejectedLines };
  } finally {
    view.stop();
    await close();
  }
}

export function printImport(r: ImportReport & { rejectedLines: number[] }, json: boolean): void {
  const { rejectedLines, ...report } = r;
  if (r.rejected > 0) {
    const more = r.rejected > rejectedLines.length ? ', …' : '';
    console.error(`import: ${r.rejected} of ${r.lines} lines rejected (lines ${rejectedLines.join(', ')}${more}); the other lines were written`);
  }
  if (json) { console.log(JSON.stringify(report, null, 2)); return; }
  console.log(`imported ${r.lines} lines in ${r.seconds.toFixed(1)} s: ${r.inserted} new, ${r.existing} already present, ${r.rejected} rejected` +
    (r.typesCreated.length ? `; created types ${r.typesCreated.join(', ')}` : ''));
}
