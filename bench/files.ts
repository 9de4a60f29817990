/**
 * Benchmark of annotated copies (电子证照加注件), the file a download that names a purpose gets:
 *
 *   npm run bench:files -- [--seconds 5]
 *
 * For one demo certificate, copies are made from the stored original (statement, watermark,
 * metadata, signature) in PDF and in OFD for a few seconds each, one at a time as the download route does; the baseline is the node
 * key's raw SM2 signing rate in the same run. Results go to bench/files-results.json, the chart
 * bench/files-results.svg and docs/benchmarks.md.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { openServices } from '../src/node/services.js';
import { seedDemo } from '../src/node/demo.js';
import type { FileFormat } from '../src/core/file-tickets.js';
import { ROOT, numberArg, ratioTable, replaceBenchmarkSection } from './support.js';
import { renderChart } from './chart.js';

const SECONDS = numberArg('seconds', 5);
const log = (m: string) => console.error(`[bench] ${m}`);

async function main() {
  const cfg = loadConfig({ data: mkdtempSync(join(tmpdir(), 'zz-bench-files-')) }, { ...process.env, ZHENGZHAO_DATA_KEYS: undefined, DATABASE_URL: undefined });
  const s = await openServices(cfg, { warn: () => {} });
  try {
    log('seeding the demo data');
    const creds = await seedDemo(s, 'http://127.0.0.1:8080', () => {});
    const c = (await s.certs.get(creds.certificateIds[0]!))!;

    const message = Buffer.from(JSON.stringify(c.surface));
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 3000) { s.nodeKeys.sign(message); n++; }
    const rawRate = n / ((performance.now() - t0) / 1000);
    log(`raw SM2 sign: ${rawRate.toFixed(0)}/s`);

    const rows = [];
    const sizes: Record<string, number> = {};
    for (const format of ['pdf', 'ofd'] as FileFormat[]) {
      await s.files.copy(c, format, { reason: '预热', maker: 'bench', expiresAt: Date.now() + 86_400_000 }); // fonts, renderer, seal
      let made = 0;
      let bytes = 0;
      const t = performance.now();
      while (performance.now() - t < SECONDS * 1000) {
        const file = await s.files.copy(c, format, { reason: `办理业务${made}`, maker: 'bench', expiresAt: Date.now() + 86_400_000 });
        bytes += file.length;
        made++;
        process.stderr.write(`\r[bench] ${format} copies: ${made} (${((performance.now() - t) / 1000).toFixed(1)} s)   `);
      }
      const rate = made / ((performance.now() - t) / 1000);
      sizes[format] = Math.round(bytes / made);
      process.stderr.write('\n');
      log(`${format} copies: ${rate.toFixed(1)}/s, ${(sizes[format]! / 1024).toFixed(0)} KiB each`);
      rows.push({ endpoint: `annotated copy, ${format.toUpperCase()}`, rps: +rate.toFixed(1), baselineRps: Math.round(rawRate), ratio: +(rate / rawRate).toFixed(4) });
    }

    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    log(`peak RSS ${peakRssMb} MB; signatures per copy: ${rows.map((r) => `${r.endpoint} ${(1 / r.ratio).toFixed(0)}`).join(', ')}`);
    const summary = { date: new Date().toISOString(), seconds: SECONDS, rawSm2PerSecond: Math.round(rawRate), averageBytes: sizes, peakRssMb, rows };
    writeFileSync(join(ROOT, 'bench', 'files-results.json'), JSON.stringify(summary, null, 2) + '\n');
    writeFileSync(join(ROOT, 'bench', 'files-results.svg'), renderChart(rows, {
      title: 'Annotated copies: files/s (red) vs raw SM2 signatures/s (grey)', unit: 'files/s', baseline: 'raw SM2 signatures/s',
    }));
    updateBenchmarkPage(summary);
    console.table(rows);
  } finally {
    await s.close();
  }
}

function updateBenchmarkPage(s: { date: string; rawSm2PerSecond: number; averageBytes: Record<string, number>; peakRssMb: number; rows: { endpoint: string; rps: number; baselineRps: number; ratio: number }[] }) {
  const table = [
    `Measured ${s.date.slice(0, 10)} on the 2-core machine, one copy at a time as a download makes it; the baseline is the node key's raw SM2 signing rate in the same run (${s.rawSm2PerSecond}/s). Average size: PDF ${(s.averageBytes.pdf! / 1024).toFixed(0)} KiB, OFD ${(s.averageBytes.ofd! / 1024).toFixed(0)} KiB; peak RSS ${s.peakRssMb} MB.`,
    '',
    ratioTable(['file', 'files/s', 'raw SM2 signatures/s'], s.rows),
    '',
    '![annotated copy benchmark](../bench/files-results.svg)',
  ].join('\n');
  replaceBenchmarkSection('bench-files', table);
}

main().catch((err) => { console.error(err); process.exit(1); });
