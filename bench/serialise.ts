/**
 * Benchmark of the national Retrieval answer serialised by its response schema (what Fastify does
 * since the route declares one: fast-json-stringify compiled from FLAT_RESPONSES.Retrieval) beside
 * JSON.stringify (what it did before), in the same run:
 *
 *   node --import tsx bench/serialise.ts [--seconds 8] [--slice 250] [--hits 20]
 *
 * The answer holds `hits` appendix D.1 items (a holder with many certificates). The two loops share
 * the time in alternating slices, so a busy moment of the shared machine hits both alike. The
 * figures print to the console only.
 */
import { createRequire } from 'node:module';
import { FLAT_RESPONSES } from '../src/dialects/national/schemas.js';
import { numberArg, alternatingRates } from './support.js';

// fast-json-stringify is Fastify's own serialiser (its dependency), loaded from Fastify's tree.
const require = createRequire(import.meta.url);
const build = require('fast-json-stringify') as (schema: object) => (v: unknown) => string;

const SECONDS = numberArg('seconds', 8);
const SLICE_MS = numberArg('slice', 250);
const HITS = numberArg('hits', 20);

const answer = {
  head: { status: '0', message: '接口调用成功' },
  data: {
    total: HITS,
    dataList: Array.from({ length: HITS }, (_, i) => ({
      certificateID: `1.2.156.3005.2.11100000000013127D.330320542338.${String(i).padStart(3, '0')}.X`,
      certificateType: '中华人民共和国机动车驾驶证', issueDept: '杭州市公安局交通警察支队',
      certificateNumber: `3303205423${String(i).padStart(2, '0')}`, issueDate: '2019年5月6日',
    })),
  },
};

const bySchema = build(FLAT_RESPONSES.Retrieval as object);
if (bySchema(answer) !== JSON.stringify(answer)) throw new Error('the two serialisations differ');
let sink = 0;
const rates = alternatingRates('serialise', {
  'by schema': () => { sink += bySchema(answer).length; },
  'JSON.stringify': () => { sink += JSON.stringify(answer).length; },
}, { seconds: SECONDS, sliceMs: SLICE_MS, batch: 50, warmup: 2000 });
const ratio = rates['by schema']! / rates['JSON.stringify']!;
console.log(JSON.stringify({ hits: HITS, bytes: JSON.stringify(answer).length, perSecond: rates, ratio: +ratio.toFixed(2), sink: sink > 0 }));
