import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { renderCertificatePdf } from '../../src/files/pdf-render.js';
import { solidPng } from '../support/ofd-sample.js';

const hasPoppler = spawnSync('sh', ['-c', 'command -v pdftotext && command -v pdffonts && command -v pdfinfo']).status === 0;
// Under CI the tools are installed by .ci/run, so their absence is a failure, not a skip.
const skip = !hasPoppler && !process.env.CI ? 'poppler-utils not installed' : false;

const ID = '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U';

test('the layout file carries the Chinese text, an embedded subset font and the metadata', { skip }, async () => {
  assert.ok(hasPoppler, 'poppler-utils (pdftotext, pdffonts, pdfinfo) must be installed under CI');
  const pdf = await renderCertificatePdf({
    title: '结婚证',
    fields: [
      { name: '持证人', value: '张三', valueType: 'string' },
      { name: '登记日期', value: '2014年3月4日', valueType: 'string' },
      { name: '结婚证字号', value: 'J320000-2011-001327', valueType: 'string' },
      { name: '照片', value: solidPng(2, 2, [255, 0, 0]).toString('base64'), valueType: 'picture' },
    ],
    footer: ['××市××区民政局'],
    metadata: { certificateId: ID, typeName: '结婚证', typeCode: '111000000000131433001', holderCode: '11010519491231002X', holderName: '张三', issuer: '××市××区民政局', issuerCode: '11330105002500287C', issueDate: '2014-03-04' },
  });
  assert.equal(Buffer.from(pdf.subarray(0, 5)).toString(), '%PDF-');
  assert.ok(pdf.length < 100_000, `a subsetted font keeps the file small (${pdf.length} bytes)`);
  const dir = mkdtempSync(join(tmpdir(), 'zz-pdf-'));
  try {
    const file = join(dir, 'c.pdf');
    writeFileSync(file, pdf);
    const text = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' }).stdout;
    for (const s of ['结婚证', '持证人', '张三', '登记日期', '2014年3月4日', 'J320000-2011-001327', '××市××区民政局']) assert.ok(text.includes(s), `text has ${s}`);
    const fonts = spawnSync('pdffonts', [file], { encoding: 'utf8' }).stdout;
    assert.match(fonts, /\+SourceHanSansCN-Regular\s+CID Type 0C\s+Identity-H\s+yes yes yes/, 'CJK font embedded and subsetted');
    const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' }).stdout;
    assert.match(info, new RegExp(`Subject:\\s+${ID.replaceAll('.', '\\.')}`));
    assert.match(info, /Title:\s+结婚证/);
    assert.match(info, /Pages:\s+1/);
    assert.match(info, /Keywords:.*holderCode=11010519491231002X/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a picture that is not an image does not break the file', async () => {
  const pdf = await renderCertificatePdf({
    title: '测试', fields: [{ name: '照片', value: Buffer.from('not an image').toString('base64'), valueType: 'picture' }],
    metadata: { certificateId: ID, typeName: '测试', typeCode: '111000000000131433001', holderCode: 'x', holderName: 'x', issuer: 'x', issuerCode: 'x', issueDate: '2014-03-04' },
  });
  assert.equal(Buffer.from(pdf.subarray(0, 5)).toString(), '%PDF-');
});
