import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskCertificate, maskName, maskValue } from '../../src/domain/mask.js';
import { makeCitizenId } from '../../src/domain/holder-code.js';
import type { Certificate, FieldDefinition } from '../../src/domain/model.js';

test('names keep their first character, one asterisk for each other one', () => {
  assert.equal(maskName('王'), '*');
  assert.equal(maskName('王芳'), '王*');
  assert.equal(maskName('李大华'), '李**');
  assert.equal(maskName('欧阳娜娜'), '欧***');
  assert.equal(maskName(''), '');
  // CJK Extension B (U+20000 and up, two UTF-16 units each): whole characters, never half of one.
  assert.equal(maskName('𠀀𠀁'), '𠀀*');
  assert.equal(maskName('王𪚥'), '王*');
  assert.equal(maskName('𪚥'), '*');
  assert.equal(maskName('𠮷野家'), '𠮷**');
  assert.ok(!maskName('𠀀𠀁𠀂').includes('\uFFFD') && [...maskName('𠀀𠀁𠀂')].length === 3);
});

const HOLDER = makeCitizenId('110105', '19491231', 2);
const field = (columnName: string, over: Partial<FieldDefinition> = {}): FieldDefinition => ({ columnName, name: columnName, valueType: 'string', required: false, sensitive: false, ...over });
const surface = (values: Record<string, string>) => Object.entries(values).map(([columnName, value]) => ({ columnName, name: columnName, valueType: 'string' as const, value }));

/** A driving licence: its number is the holder's ID number, and an extension field repeats it. */
const licence: Certificate = {
  id: 'X', typeCode: 'T', typeName: '机动车驾驶证', name: '机动车驾驶证', number: HOLDER,
  holder: { name: '王芳', code: HOLDER, codeType: '111' }, issuer: { name: '发证机关', code: 'C' }, issueDate: '2020-01-01',
  status: 'issued', version: 1, detail: [],
  surface: surface({ XM: '王芳', ZJHM: HOLDER, KZ_GMSFHM: HOLDER.toLowerCase(), ZJCX: 'C1', DABH: '110000123456' }),
};

test('masking follows what a value is: its role, its equality with the holder code, not its field name', () => {
  const type = { fields: [field('XM', { role: 'holderName' }), field('ZJHM', { role: 'number' }), field('KZ_GMSFHM'), field('ZJCX'), field('DABH')] };
  const m = maskCertificate(licence, type);
  const masked = `${HOLDER.slice(0, 6)}********${HOLDER.slice(-4)}`;
  assert.equal(m.number, masked, 'id_code of a driving licence is the ID number');
  assert.equal(m.holder.code, masked);
  const by = Object.fromEntries(m.surface.map((v) => [v.columnName, v.value]));
  assert.equal(by.ZJHM, masked);
  assert.equal(by.KZ_GMSFHM, maskValue(HOLDER.toLowerCase()), 'an extension field repeating the holder code');
  assert.equal(by.ZJCX, 'C1');
  assert.equal(by.DABH, '110000123456');
  assert.equal(by.XM, '王芳', 'a name is not sensitive unless its field says so');
  assert.equal(m.holder.name, '王芳');

  // A sensitive holder-name field masks the name as a name, in the field and in the holder.
  const sensitiveName = maskCertificate(licence, { fields: [field('XM', { role: 'holderName', sensitive: true })] });
  assert.equal(sensitiveName.surface.find((v) => v.columnName === 'XM')!.value, '王*');
  assert.equal(sensitiveName.holder.name, '王*');
  // A number that is not the holder's code stays, unless its field is sensitive.
  const marriage = { ...licence, number: 'J110105-2020-000001' };
  assert.equal(maskCertificate(marriage, type).number, 'J110105-2020-000001');
  assert.notEqual(maskCertificate(marriage, { fields: [field('ZJHM', { role: 'number', sensitive: true })] }).number, 'J110105-2020-000001');
  // A value of the holder-code role is masked even when the type forgot to mark it sensitive.
  const other = makeCitizenId('110102', '19920101', 28);
  const roleOnly = maskCertificate({ ...licence, surface: surface({ SFZ: other }) }, { fields: [field('SFZ', { role: 'holderCode' })] });
  assert.equal(roleOnly.surface[0]!.value, maskValue(other));
});
