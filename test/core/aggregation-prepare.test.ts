import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '../../src/crypto/keyring.js';
import { entriesOf, entryColumns, prepareRows, sealerFor } from '../../src/core/aggregation/prepare.js';
import { parseCopyText } from '../../src/store/copy-text.js';
import { catalogRow } from '../support/catalog-rows.js';

const keys = new Keyring(new Map([['k1', Buffer.alloc(16, 1)]]), 'k1', Buffer.alloc(32, 2));
const sealer = sealerFor(keys);
const esc = (v: string | number | null) => (v === null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'));

/** lic_data rows as FrontDbRepo.rowsText gives them: 11 rows, of which rows 3 and 7 are refused on their own. */
function rowsText(): Buffer {
  const rows = Array.from({ length: 11 }, (_, i) => catalogRow(i, i === 3 ? { typeCode: 'bad' } : i === 7 ? { issueDate: '2025-02-30' } : i === 5 ? { name: 'tab\there' } : {}));
  return Buffer.from(rows.map((r, i) => [100 + i, r.sourceId, r.name, r.typeName, r.typeCode, r.issuerName, r.issuerCode, r.areaCode, r.holderName,
    r.holderCode, r.holderType, r.number, r.issueDate, r.operation, r.time, r.batch, r.dataSource].map(esc).join('\t') + '\n').join(''));
}

test('a chunk prepared a few rows at a time equals the chunk prepared at once', () => {
  const whole = prepareRows(rowsText(), sealer, 1000);
  for (const n of [1, 3, 4]) {
    const pieces = prepareRows(rowsText(), sealer, n);
    assert.deepEqual(pieces.ids, whole.ids);
    assert.deepEqual(pieces.batches, whole.batches);
    assert.deepEqual(pieces.problems, whole.problems);
    assert.deepEqual(pieces.sealedIndex, whole.sealedIndex);
    assert.deepEqual(pieces.sealed.entries, whole.sealed.entries);
    assert.deepEqual(pieces.sealed.indexes, whole.sealed.indexes, 'blind indexes are deterministic');
    assert.deepEqual(pieces.sealed.sealedEnds, whole.sealed.sealedEnds);
    assert.deepEqual(pieces.sealed.copyEnds, whole.sealed.copyEnds);
    const s = pieces.sealed;
    s.entries.forEach((e, i) => {
      // Each sealed value opens under its own entry's context; each COPY line names its entry.
      const value = (k: number) => s.sealed.subarray(k === 0 ? 0 : s.sealedEnds[k - 1], s.sealedEnds[k]);
      assert.equal(JSON.parse(keys.open(value(2 * i), `holder:${e.id}`).toString()).holderCode, e.holder.code);
      assert.deepEqual(JSON.parse(keys.open(value(2 * i + 1), `content:${e.id}`).toString()), { surface: [], detail: [] });
      const line = parseCopyText(Buffer.from(s.copy.subarray(i === 0 ? 0 : s.copyEnds[i - 1], s.copyEnds[i])).toString())[0]!;
      assert.equal(line.length, 17);
      assert.deepEqual([line[4], line[7]], [e.id, e.name]);
      assert.equal(line[0], `\\x${Buffer.from(s.indexes.subarray(64 * i, 64 * i + 32)).toString('hex')}`);
    });
  }
  assert.deepEqual(whole.sealedIndex, [0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8]);
  assert.equal(whole.sealed.entries[4]!.name, 'tab\there');
  assert.match(whole.problems[3]!.remark, /^CertificateTypeCode/);
  assert.match(whole.problems[7]!.remark, /^IssueDate/);
});

test('entries cross threads in columns and come back equal', () => {
  const { sealed } = prepareRows(rowsText(), sealer);
  assert.deepEqual(entriesOf(structuredClone(entryColumns(sealed.entries))), sealed.entries);
});
