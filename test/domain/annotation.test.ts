import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotationText, cstIso, endOfCstDay } from '../../src/domain/annotation.js';
import { sniffFormat } from '../../src/core/file-check.js';

test('a copy valid until a date runs to the end of that day in China Standard Time', () => {
  const end = endOfCstDay('2021-08-26');
  assert.equal(new Date(end).toISOString(), '2021-08-26T15:59:59.999Z');
  assert.equal(cstIso(end), '2021-08-26T23:59:59+08:00');
});

test('the annotation states purpose and expiry as the national standard words it', () => {
  assert.equal(annotationText(' 个人参保缴费证明查询打印 ', endOfCstDay('2021-08-26')), '仅供个人参保缴费证明查询打印使用，有效期至2021年8月26日');
});

test('layout files are told apart by their first bytes', () => {
  assert.equal(sniffFormat(Buffer.from('%PDF-1.7\n')), 'pdf');
  assert.equal(sniffFormat(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0])), 'ofd');
  assert.equal(sniffFormat(Buffer.from('hello')), undefined);
  assert.equal(sniffFormat(Buffer.alloc(0)), undefined);
});
