import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDate, formatChineseDate, formatPaddedChineseDate, cstDate, cstCompactDate, isLongTerm, addDays } from '../../src/domain/dates.js';
import { RETURN_CODE_MESSAGES, ServiceError } from '../../src/domain/return-codes.js';

test('the written forms of the standards parse to one ISO date', () => {
  for (const s of ['2014-03-04', '2014-3-4', '2014/03/04', '20140304', '2014年3月4日', '2014 年 3 月 4 日', '2014-03-04 10:20:30']) {
    assert.equal(parseDate(s), '2014-03-04', s);
  }
  for (const s of ['2023-02-30', '', 'abc', '2014-13-01', '长期']) assert.equal(parseDate(s), undefined, s);
  assert.equal(parseDate('2024-02-29'), '2024-02-29');
  assert.ok(isLongTerm('长期') && !isLongTerm('2014-03-04'));
});

test('national rendering and China Standard Time', () => {
  assert.equal(formatChineseDate('2014-03-04'), '2014年3月4日');
  assert.equal(formatChineseDate('2011-11-01'), '2011年11月1日');
  assert.equal(cstDate(new Date('2026-01-01T15:59:59Z')), '2026-01-01');
  assert.equal(cstDate(new Date('2026-01-01T16:00:00Z')), '2026-01-02');
  assert.equal(cstCompactDate(new Date('2025-12-31T16:00:00Z')), '20260101');
  assert.equal(addDays('2024-02-28', 1), '2024-02-29');
});

test('the tables\' form YYYY年MM月DD日 (DB51/T 2942 tables 2-8), zero-padded', () => {
  assert.equal(formatPaddedChineseDate('2019-05-06'), '2019年05月06日');
  assert.equal(formatPaddedChineseDate('2013-09-24'), '2013年09月24日');
  assert.equal(parseDate(formatPaddedChineseDate('2014-03-04')), '2014-03-04');
});

test('appendix A messages are the standard text', () => {
  assert.equal(RETURN_CODE_MESSAGES['0'], '接口调用成功');
  assert.equal(RETURN_CODE_MESSAGES['14'], '错误的持证主体代码类型');
  assert.equal(Object.keys(RETURN_CODE_MESSAGES).length, 13);
  const e = new ServiceError('12', 'UseFor');
  assert.equal(e.code, '12');
  assert.equal(e.message, '要求必填的输入参数值为空: UseFor');
});
