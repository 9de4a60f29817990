import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCertificateId, mod3736CheckChar, parseCertificateId } from '../../src/domain/identifier.js';

const KNOWN_GOOD = [
  '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U',
  '1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F',
  '1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0',
];

test('published identifiers pass, and formatting them again gives the same text', () => {
  for (const id of KNOWN_GOOD) {
    const r = parseCertificateId(id);
    assert.ok(r.ok, id);
    if (r.ok) assert.equal(formatCertificateId(r.parts), id);
  }
});

test("the seed's appendix D example is malformed: its type code has 20 characters", () => {
  const r = parseCertificateId('1.2.156.3005.2.11100000000131433001.111101080000576990.4237862345.001.1');
  assert.deepEqual(r.ok ? 'ok' : r.problem, 'type-code');
});

test('every single-character change of a valid identifier is caught', () => {
  const id = KNOWN_GOOD[0]!;
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let tried = 0;
  for (let i = 15; i < id.length; i++) {
    if (id[i] === '.') continue;
    for (const c of alphabet) {
      if (c === id[i]) continue;
      const mutated = id.slice(0, i) + c + id.slice(i + 1);
      assert.equal(parseCertificateId(mutated).ok, false, mutated);
      tried++;
    }
  }
  assert.equal(tried, 54 * 35);
});

test('lower case, missing parts and a bad version are refused with the reason', () => {
  const problem = (id: string) => { const r = parseCertificateId(id); return r.ok ? 'ok' : r.problem; };
  assert.equal(problem(KNOWN_GOOD[0]!.toLowerCase()), 'type-code');
  assert.equal(problem('1.2.156.3005.2.11100000000013338W011.11430000006122244L.001.U'), 'format');
  assert.equal(problem('1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.01.U'), 'version');
  assert.equal(problem('1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.V'), 'check-character');
  assert.equal(mod3736CheckChar('11100000000013338W01111430000006122244L20230000403001'), 'U');
});
