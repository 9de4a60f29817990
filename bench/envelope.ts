/**
 * Benchmark of the YRD SM2 envelope (src/crypto/envelope.ts), beside raw SM2 encryption in the same run:
 *
 *   npm run bench:envelope -- [--seconds 12] [--slice 250]
 *
 * The payload is a typical direct-channel request: table 1's fields with a trusted token, about
 * 1 KiB of UTF-8 JSON. Four loops share the time in alternating slices (a busy moment of the shared
 * machine hits all of them alike):
 * - seal: sealEnvelope (JSON text, SM2 encrypt, hex, Base64), what a caller does per request;
 * - open: openEnvelope (Base64, hex, SM2 decrypt, JSON parse), what the receiver does;
 * - SM2 encrypt / SM2 decrypt: sm2Encrypt / sm2Decrypt of the same JSON bytes, the baselines: what
 *   is left is the cost of the encoding and the checks.
 * Results go to bench/envelope-results.json, the chart bench/envelope-results.svg and docs/benchmarks.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSm2KeyPair, sm2Backend, sm2Decrypt, sm2Encrypt } from '../src/crypto/sm2.js';
import { openEnvelope, sealEnvelope } from '../src/crypto/envelope.js';
import { ROOT, numberArg, ratioTable, replaceBenchmarkSection, alternatingRates } from './support.js';
import { renderChart } from './chart.js';

const SECONDS = numberArg('seconds', 12);
const SLICE_MS = numberArg('slice', 250);

const REQUEST = {
  trustedToken: 'eyJhbGciOiJTTTIiLCJ0eXAiOiJKV1QifQ.' + 'A'.repeat(640), CertificateType: '中华人民共和国机动车驾驶证',
  CertificateNumber: '510104542338', UseFor: '办理长三角跨省通办业务', itemName: '机动车驾驶证换证',
  itemCode: '320000-000201-001', itemOrg: '江苏省公安厅交通管理局', operator: '王五', bizNum: 'YRD-2024-000123',
};

function main() {
  const key = generateSm2KeyPair();
  const json = Buffer.from(JSON.stringify(REQUEST), 'utf8');
  const envelope = sealEnvelope(REQUEST, key.publicKey);
  const raw = sm2Encrypt(json, key.publicKey);
  const loops: Record<string, () => void> = {
    seal: () => { sealEnvelope(REQUEST, key.publicKey); },
    open: () => { openEnvelope(envelope, key.privateKey); },
    'SM2 encrypt': () => { sm2Encrypt(json, key.publicKey); },
    'SM2 decrypt': () => { sm2Decrypt(raw, key.privateKey); },
  };
  const rates = alternatingRates('envelope', loops, { seconds: SECONDS, sliceMs: SLICE_MS, batch: 10, warmup: 200 });
  const rows = [
    { endpoint: 'seal (sealEnvelope)', rps: rates.seal!, baselineRps: rates['SM2 encrypt']!, ratio: +(rates.seal! / rates['SM2 encrypt']!).toFixed(2) },
    { endpoint: 'open (openEnvelope)', rps: rates.open!, baselineRps: rates['SM2 decrypt']!, ratio: +(rates.open! / rates['SM2 decrypt']!).toFixed(2) },
  ];
  const summary = {
    date: new Date().toISOString(), seconds: SECONDS, sliceMs: SLICE_MS, node: process.version, sm2Backend,
    payloadBytes: json.length, envelopeChars: envelope.length, perSecond: rates, rows,
  };
  writeFileSync(join(ROOT, 'bench', 'envelope-results.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(ROOT, 'bench', 'envelope-results.svg'), renderChart(rows, {
    title: 'SM2 envelopes per second (red) vs raw SM2 on the same JSON (grey)', unit: '/s', baseline: '/s raw SM2',
  }));
  replaceBenchmarkSection('bench-envelope', [
    `Measured ${summary.date.slice(0, 10)}, one thread, SM2 by ${sm2Backend === 'openssl' ? "Node's OpenSSL (the native addon)" : 'sm-crypto-v2 (JavaScript)'}, the loops alternating in slices. The request is ${json.length} bytes of UTF-8 JSON (table 1's fields with a trusted token); its envelope is ${envelope.length} characters (×${(envelope.length / json.length).toFixed(2)}: hex doubles, Base64 adds a third). The baseline is sm2Encrypt / sm2Decrypt of the same bytes in the same run.`,
    '',
    ratioTable(['operation', 'per second', 'raw SM2 per second'], rows),
    '',
    '![envelope benchmark](../bench/envelope-results.svg)',
  ].join('\n'));
  console.table(Object.entries(rates).map(([operation, perSecond]) => ({ operation, perSecond })));
  console.table(rows);
}

main();
