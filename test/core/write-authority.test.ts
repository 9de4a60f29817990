import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorityProblem, itemOutsideDivision } from '../../src/core/write-authority.js';
import { makeCreditCode } from '../../src/domain/holder-code.js';

const CHAOYANG = makeCreditCode('1', '1', '110105', '00000101X');
const WUHOU = makeCreditCode('1', '1', '510107', '00000301X');
const issued = (code: string, areaCode?: string) => ({ status: 'issued' as const, issuer: { name: '发证机构', code, areaCode } });
const draft = (code: string, madeByApp?: string) => ({ status: 'draft' as const, issuer: { name: '发证机构', code }, madeByApp });

test('a certificate is written only by its issuer, through an item of that organisation', () => {
  assert.equal(authorityProblem({ app: 'a' }, { orgCode: CHAOYANG }, issued(WUHOU)), 'not-issuer');
  assert.equal(authorityProblem({ app: 'a' }, { orgCode: WUHOU }, issued(WUHOU)), undefined);
  // Any app of the issuing organisation may change or abolish what it issued.
  assert.equal(authorityProblem({ app: 'b' }, { orgCode: WUHOU }, { ...issued(WUHOU), madeByApp: 'a' }), undefined);
});

test('a draft is written only by the organisation and app that made it', () => {
  assert.equal(authorityProblem({ app: 'b' }, { orgCode: WUHOU }, draft(WUHOU, 'a')), 'not-maker');
  assert.equal(authorityProblem({ app: 'a' }, { orgCode: WUHOU }, draft(WUHOU, 'a')), undefined);
  assert.equal(authorityProblem({ app: 'a' }, { orgCode: CHAOYANG }, draft(WUHOU, 'a')), 'not-issuer');
  // A draft older than the record of its app: any app of its organisation.
  assert.equal(authorityProblem({ app: 'b' }, { orgCode: WUHOU }, draft(WUHOU)), undefined);
  // A caller without an app (a batch job written before callers were kept) does not pass for the maker.
  assert.equal(authorityProblem(undefined, { orgCode: WUHOU }, draft(WUHOU, 'a')), 'not-maker');
});

test('an operator with a division acts only inside it', () => {
  // The certificate's own area, else its issuer's registration area (credit code characters 3-8).
  assert.equal(authorityProblem({ app: 'a', divisionCode: '110105' }, { orgCode: WUHOU }, issued(WUHOU)), 'outside-division');
  assert.equal(authorityProblem({ app: 'a', divisionCode: '510100' }, { orgCode: WUHOU }, issued(WUHOU)), undefined);
  assert.equal(authorityProblem({ app: 'a', divisionCode: '510100' }, { orgCode: WUHOU }, issued(WUHOU, '510704')), 'outside-division');
  assert.equal(authorityProblem({ app: 'a', divisionCode: '510000' }, { orgCode: WUHOU }, issued(WUHOU, '510704')), undefined);
  assert.equal(authorityProblem({ app: 'a' }, { orgCode: WUHOU }, issued(WUHOU, '110105')), undefined, 'no division, no limit');
  assert.equal(itemOutsideDivision({ app: 'a', divisionCode: '110105' }, { orgCode: WUHOU }), true);
  assert.equal(itemOutsideDivision({ app: 'a', divisionCode: '110105' }, { orgCode: WUHOU, areaCode: '110105' }), false);
  assert.equal(itemOutsideDivision({ app: 'a', divisionCode: '110000' }, { orgCode: CHAOYANG }), false);
  assert.equal(itemOutsideDivision({ app: 'a' }, { orgCode: WUHOU }), false);
});
