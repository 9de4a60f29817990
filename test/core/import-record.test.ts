import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImportRecord } from '../../src/core/import-record.js';

const good = {
  certificateType: '结婚证', certificateTypeCode: '111000000000131433001', certificateName: '结婚证',
  certificateHolder: '张三', certificateHolderCode: '11010519491231002X', certificateHolderType: '111',
  issueDept: '××市××区民政局', issueDeptCode: '11330105002500287C', certificateNumber: 'J320000-2011-001327',
  issueDate: '2014年3月4日', certificateValidateEnd: '长期', certificateAreaCode: '330105',
};

test('a record shaped like F.1.5 is accepted, with dates normalised', () => {
  const r = parseImportRecord(good);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.cert.issueDate, '2014-03-04');
  assert.equal(r.cert.validTo, undefined, '长期 is long-term');
  assert.equal(r.cert.status, 'issued');
  assert.equal(r.typeName, '结婚证');
});

test('each rule names the field that broke it', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...good, certificateHolderCode: '' }, /^certificateHolderCode: required/],
    [{ ...good, certificateHolderCode: '110105194912310021' }, /^certificateHolderCode: /],
    [{ ...good, certificateHolderType: '123' }, /^certificateHolderType: /],
    [{ ...good, issueDeptCode: '11330105002500287D' }, /^issueDeptCode: /],
    [{ ...good, certificateTypeCode: '1110000000001314330' }, /^certificateTypeCode: /],
    [{ ...good, issueDate: '2023-02-30' }, /^issueDate: /],
    [{ ...good, certificateValidateStart: '2020-01-01', certificateValidateEnd: '2019-01-01' }, /before/],
    [{ ...good, certificateAreaCode: '33' }, /^certificateAreaCode: /],
    [{ ...good, status: 'deleted' }, /^status: /],
    [{ ...good, certificateName: { a: 1 } }, /^certificateName: must be a string/],
    [{ ...good, surface: 'x' }, /^surface: must be an array/],
    [{ ...good, surface: [{ name: '照片', columnName: 'ZP', valueType: 'picture', value: '不是base64' }] }, /base64/],
    [{ ...good, detail: [{ group: 'g', datalist: [{ name: 'a' }] }] }, /^detail: \[0\]\.datalist\[0\]\.columnName/],
    [{ ...good, certificateID: '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U' }, /^certificateID: .*match/],
  ];
  for (const [rec, reason] of cases) {
    const r = parseImportRecord(rec);
    assert.equal(r.ok, false, JSON.stringify(rec).slice(0, 100));
    if (!r.ok) assert.match(r.reason, reason);
  }
  assert.equal(parseImportRecord([1, 2]).ok, false);
  assert.equal(parseImportRecord(null).ok, false);
});
