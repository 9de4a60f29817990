import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOLDER_CODE_TYPES, checkHolderCode, isValidCitizenId, isValidCreditCode, makeCitizenId, makeCreditCode, inferHolderCodeType } from '../../src/domain/holder-code.js';

test('appendix B has its 16 code types', () => {
  assert.deepEqual(HOLDER_CODE_TYPES.map((t) => t.code), ['001', '099', '111', '114', '115', '118', '119', '120', '122', '411', '412', '413', '414', '511', '516', '999']);
  assert.equal(HOLDER_CODE_TYPES.find((t) => t.code === '111')!.name, '公民身份号码');
});

test('GB 11643 and GB 32100 examples pass, and one-character changes fail', () => {
  assert.ok(isValidCitizenId('11010519491231002X'));
  for (const c of ['91350100M000100Y43', '111000000000131433', '11100000000013338W', '11430000006122244L', '11220000013544541J', '11330105002500287C']) {
    assert.ok(isValidCreditCode(c), c);
    const last = c[17] === '0' ? '1' : '0';
    assert.ok(!isValidCreditCode(c.slice(0, 17) + last), `${c} with another check`);
  }
  for (let i = 0; i < 17; i++) {
    const id = '11010519491231002X';
    const d = id[i] === '9' ? '8' : String(Number(id[i]) + 1);
    assert.ok(!isValidCitizenId(id.slice(0, i) + d + id.slice(i + 1)), `digit ${i}`);
  }
  assert.ok(!isValidCitizenId('110105194902300027'), 'no 30 February');
});

test('generated codes satisfy their validators', () => {
  for (let i = 0; i < 300; i++) {
    const id = makeCitizenId('510107', `19${50 + (i % 50)}0${1 + (i % 9)}1${i % 10}`, i);
    assert.ok(isValidCitizenId(id), id);
    assert.equal(inferHolderCodeType(id), '111');
    const cc = makeCreditCode('9', '1', '510107', `MA${String(1000000 + i * 7)}`.slice(0, 9));
    assert.ok(isValidCreditCode(cc), cc);
  }
});

test('checkHolderCode applies the rule of the code type', () => {
  assert.deepEqual(checkHolderCode('111', '11010519491231002X'), { ok: true });
  assert.equal((checkHolderCode('111', '110105194912310021') as { problem: string }).problem, 'check-digit');
  assert.equal((checkHolderCode('001', '91350100M000100Y44') as { problem: string }).problem, 'check-digit');
  assert.equal((checkHolderCode('777', 'x') as { problem: string }).problem, 'unknown-type');
  assert.deepEqual(checkHolderCode('414', 'E12345678'), { ok: true });
  assert.equal((checkHolderCode('414', '') as { problem: string }).problem, 'empty');
});
