import { serialize, deserialize } from 'node:v8';
import { catalogRow } from '../test/support/catalog-rows.js';
import * as P from '../dist/core/aggregation/prepare.js';
import { Keyring } from '../dist/crypto/keyring.js';
const keys = new Keyring(new Map([['k1', Buffer.alloc(16, 1)]]), 'k1', Buffer.alloc(32, 2));
const esc = (v: any) => v === null || v === undefined ? '\\N' : String(v);
const N = 5000;
const text = Buffer.from(Array.from({ length: N }, (_, i) => { const r = catalogRow(i); return [i + 1, r.sourceId, r.name, r.typeName, r.typeCode, r.issuerName, r.issuerCode, r.areaCode, r.holderName, r.holderCode, r.holderType, r.number, r.issueDate, r.operation, r.time, r.batch, r.dataSource].map(esc).join('\t') + '\n'; }).join(''));
const sealer = P.sealerFor(keys);
const post = (P as any).postable ?? ((x: any) => x); const recv = (P as any).received ?? ((x: any) => x);
const t = { prep: [] as number[], ser: [] as number[], deser: [] as number[] };
for (let r = 0; r < 30; r++) {
  const t0 = performance.now(); const out = P.prepareRows(text, sealer); const t1 = performance.now();
  const b = serialize(post(out)); const t2 = performance.now(); recv(deserialize(b)); const t3 = performance.now();
  t.prep.push(t1 - t0); t.ser.push(t2 - t1); t.deser.push(t3 - t2);
}
const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]! * 1000 / N;
console.log(`per row µs (median of 30 chunks of ${N}): prepare ${med(t.prep).toFixed(2)} serialize ${med(t.ser).toFixed(2)} deserialize ${med(t.deser).toFixed(2)}`);
