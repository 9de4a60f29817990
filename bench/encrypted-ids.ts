/**
 * Benchmark of encrypted certificate IDs (DB51/T 2942 6.4.3), beside raw SM4 in the same run:
 *
 *   npm run bench:encrypted-ids -- [--seconds 12] [--slice 250]
 *
 * Four loops share the time in alternating slices (so a busy moment of the shared machine hits all
 * of them alike):
 * - issue: EncryptedIds.issue, what GetEncryptedCertificateID does per certificate;
 * - resolve: EncryptedIds.check, what every call taking an encryptedId does first;
 * - SM4 seal / SM4 open: Sm4Box (src/crypto/sm4.ts: SM4-CTR and HMAC-SM3) on plaintext of the same
 *   length with the same context, the baselines: what is left is the cost of the format itself
 *   (timestamp, key id, base32, the checks).
 * One bare SM4 block (sm4EncryptBlock, a cipher made per call) is timed too, for scale.
 * Results go to bench/encrypted-ids-results.json, the chart bench/encrypted-ids-results.svg and docs/benchmarks.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Keyring } from '../src/crypto/keyring.js';
import { Sm4Box, sm4EncryptBlock } from '../src/crypto/sm4.js';
import { EncryptedIds } from '../src/core/encrypted-ids.js';
import { ROOT, numberArg, ratioTable, replaceBenchmarkSection, alternatingRates } from './support.js';
import { renderChart } from './chart.js';

const SECONDS = numberArg('seconds', 12);
const SLICE_MS = numberArg('slice', 250);

/** A published identifier (shared/notes/standards-facts.md): the shape real IDs have. */
const ID = '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U';

function main() {
  const master = randomBytes(16);
  const keys = new Keyring(new Map([['k1', master]]), 'k1', randomBytes(32));
  const ids = new EncryptedIds(keys, 600);
  const box = new Sm4Box(master);
  // The sealed plaintext of an encrypted ID: flag byte, 4-byte timestamp, the identifier without its root.
  const plain = randomBytes(5 + ID.length - '1.2.156.3005.2.'.length);
  const sealed = box.seal(plain, 'encrypted-id');
  const sample = ids.issue(ID).encryptedId;
  const block = randomBytes(16);
  const blockKey = randomBytes(16);

  const loops: Record<string, () => void> = {
    issue: () => { ids.issue(ID); },
    resolve: () => { if (!ids.check(sample).ok) throw new Error('sample did not resolve'); },
    'SM4 seal': () => { box.seal(plain, 'encrypted-id'); },
    'SM4 open': () => { if (!box.open(sealed, 'encrypted-id')) throw new Error('seal did not open'); },
    'SM4 block': () => { sm4EncryptBlock(blockKey, block); },
  };
  const rates = alternatingRates('encrypted IDs', loops, { seconds: SECONDS, sliceMs: SLICE_MS, batch: 50, warmup: 2000 });
  const rows = [
    { endpoint: 'issue (EncryptedIds.issue)', rps: rates.issue!, baselineRps: rates['SM4 seal']!, ratio: +(rates.issue! / rates['SM4 seal']!).toFixed(2) },
    { endpoint: 'resolve (EncryptedIds.check)', rps: rates.resolve!, baselineRps: rates['SM4 open']!, ratio: +(rates.resolve! / rates['SM4 open']!).toFixed(2) },
  ];
  const summary = {
    date: new Date().toISOString(), seconds: SECONDS, sliceMs: SLICE_MS, node: process.version, encryptedIdLength: sample.length,
    perSecond: rates, rows,
  };
  writeFileSync(join(ROOT, 'bench', 'encrypted-ids-results.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(ROOT, 'bench', 'encrypted-ids-results.svg'), renderChart(rows, {
    title: 'Encrypted IDs per second (red) vs raw SM4 on the same bytes (grey)', unit: '/s', baseline: '/s raw SM4',
  }));
  updateBenchmarkPage(summary);
  console.table(Object.entries(rates).map(([operation, perSecond]) => ({ operation, perSecond })));
  console.table(rows);
}

function updateBenchmarkPage(s: { date: string; perSecond: Record<string, number>; encryptedIdLength: number; rows: { endpoint: string; rps: number; baselineRps: number; ratio: number }[] }) {
  const text = [
    `Measured ${s.date.slice(0, 10)} on the 2-core machine, one thread, the loops alternating in slices; an encrypted ID of a real-shaped certificate ID is ${s.encryptedIdLength} characters. The baseline is Sm4Box (SM4-CTR + HMAC-SM3) sealing and opening plaintext of the same length in the same run; one bare SM4 block with a fresh cipher runs at ${s.perSecond['SM4 block']}/s.`,
    '',
    ratioTable(['operation', 'per second', 'raw SM4 per second'], s.rows),
    '',
    '![encrypted ID benchmark](../bench/encrypted-ids-results.svg)',
  ].join('\n');
  replaceBenchmarkSection('bench-encrypted-ids', text);
}

main();
