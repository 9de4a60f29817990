import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layOut, parseLayoutTemplate } from '../../src/domain/layout-template.js';
import type { Certificate, FieldDefinition } from '../../src/domain/model.js';
import { CertificateFiles } from '../../src/core/certificate-files.js';
import { loadRenderers } from '../../src/files/renderers.js';
import { makeSigner } from '../support/pdf-fixtures.js';

const FIELDS: FieldDefinition[] = [
  { columnName: 'CZR', name: '持证人', valueType: 'string', required: true, sensitive: false },
  { columnName: 'POXM', name: '配偶姓名', valueType: 'string', required: false, sensitive: false },
  { columnName: 'JHZZH', name: '结婚证字号', valueType: 'string', required: true, sensitive: false },
];

const CERT: Certificate = {
  id: '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U', typeCode: '111000000000131433001', typeName: '结婚证',
  name: '结婚证', number: 'J110105-2026-0000001', holder: { name: '王小明', code: '11010519491231002X', codeType: '111' },
  issuer: { name: '北京市朝阳区民政局', code: '11430000006122244L' }, issueDate: '2026-05-20', status: 'issued', version: 1,
  surface: [
    { columnName: 'JHZZH', name: '结婚证字号', valueType: 'string', value: 'J110105-2026-0000001' },
    { columnName: 'CZR', name: '持证人', valueType: 'string', value: '王小明' },
    { columnName: 'POXM', name: '配偶姓名', valueType: 'string', value: '李小红' },
  ],
  detail: [],
};

test('a template is checked against the type: unknown keys, columns and placeholders, duplicates, empty text', () => {
  assert.deepEqual(parseLayoutTemplate({ title: '结婚证', fields: [{ column: 'CZR', label: '姓名' }], footer: ['{issuer}'] }, FIELDS).ok, true);
  const problems = (t: unknown) => { const r = parseLayoutTemplate(t, FIELDS); return r.ok ? [] : r.problems; };
  assert.deepEqual(problems([]), ['a layout template is a JSON object']);
  assert.match(problems({ colour: 'red' })[0]!, /unknown key "colour"/);
  assert.match(problems({ fields: [{ column: 'XYZ' }] })[0]!, /fields\[0\]\.column: one of the type's fields \(CZR, POXM, JHZZH\)/);
  assert.match(problems({ fields: [{ column: 'CZR' }, { column: 'CZR' }] })[0]!, /CZR appears twice/);
  assert.match(problems({ footer: ['{holderCode}'] })[0]!, /unknown placeholder \{holderCode\}/);
  assert.match(problems({ title: '' })[0]!, /title: text of 1-200 characters/);
  assert.match(problems({ fields: [] })[0]!, /non-empty list/);
});

test('the template chooses title, fields, their order and labels, and the footer; without one the default layout', () => {
  const page = layOut(CERT, { title: '中华人民共和国结婚证', fields: [{ column: 'CZR', label: '姓名' }, { column: 'POXM' }], footer: ['登记机关：{issuer}', '{issueDate}', '有效期至{validTo}'] });
  assert.deepEqual(page, {
    title: '中华人民共和国结婚证',
    fields: [{ name: '姓名', value: '王小明', valueType: 'string' }, { name: '配偶姓名', value: '李小红', valueType: 'string' }],
    footer: ['登记机关：北京市朝阳区民政局', '2026年5月20日', '有效期至长期'],
  });
  assert.deepEqual(layOut(CERT).fields.map((f) => f.name), ['结婚证字号', '持证人', '配偶姓名']);
  assert.deepEqual(layOut(CERT).footer, ['北京市朝阳区民政局', '2026年5月20日']);
  // A certificate with none of the listed fields (imported with another field set) keeps all it has.
  assert.equal(layOut(CERT, { fields: [{ column: 'ZP' }] }).fields.length, 3);
});

test('the PDF follows the type\'s template (Poppler reads it back)', { skip: !process.env.CI && spawnSync('sh', ['-c', 'command -v pdftotext']).status !== 0 && 'pdftotext (poppler-utils) is not installed' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zz-layout-'));
  try {
    const files = new CertificateFiles({
      dir, renderers: loadRenderers, seals: { sealFor: async () => undefined }, signer: () => makeSigner(), verifyUrl: (id) => `http://x/verify/${id}`,
      templateOf: async () => ({ title: '中华人民共和国结婚证', fields: [{ column: 'CZR', label: '姓名' }, { column: 'POXM' }], footer: ['登记机关：{issuer}'] }),
    });
    const pdf = await files.original(CERT, 'pdf');
    const text = spawnSync('pdftotext', ['-layout', '-', '-'], { input: pdf, encoding: 'utf8' }).stdout;
    assert.match(text, /中华人民共和国结婚证/);
    assert.match(text, /姓名\s+王小明/);
    assert.ok(text.indexOf('姓名') < text.indexOf('配偶姓名'));
    assert.ok(!text.includes('结婚证字号'), 'a field the template leaves out is not on the page');
    assert.match(text, /登记机关：北京市朝阳区民政局/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
