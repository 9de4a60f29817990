import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certificatePage } from '../../src/dialects/beijing/views.js';
import type { Certificate } from '../../src/domain/model.js';
import type { View } from '../../src/core/using.js';

const cert: Certificate = {
  id: '1.2.156.3005.2.11100000000013338W001.11110105MB0000000X.20230001.001.9', typeCode: '11100000000013338W001', typeName: '结婚证', name: '结婚证',
  number: 'J110105-2023-000001', holder: { name: '张三', code: '110101199003070011', codeType: '111' }, issuer: { name: '北京市朝阳区民政局', code: '11110105MB0000000X' },
  issueDate: '2023-01-01', status: 'issued', version: 1, detail: [], surface: [],
};
const seal = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const view = (status: View['status']): View => ({ certificate: cert, status, viewer: '张科员', expires: Date.now() + 60_000 });
const sealTag = `src="data:image/png;base64,${seal.toString('base64')}"`;

test('a usable certificate is shown with its seal and no invalid banner', () => {
  const html = certificatePage(view('usable'), false, new Date(), seal);
  assert.ok(html.includes(sealTag));
  assert.ok(!html.includes('invalid-banner"'));
  assert.match(html, /id="status">有效</);
});

test('an abolished, suspended or expired certificate is shown as invalid across the page, without its seal', () => {
  for (const [status, words] of [['abolished', '已废止'], ['suspended', '已受限使用'], ['expired', '已过期']] as const) {
    for (const mobile of [false, true]) {
      const html = certificatePage(view(status), mobile, new Date(), seal);
      assert.ok(!html.includes(sealTag), `${status}: no seal as if valid`);
      assert.match(html, new RegExp(`id="invalid-banner" role="alert">此电子证照${words}`), status);
      assert.match(html, new RegExp(`id="void-stamp">${words}<`), status);
      // The watermark (an SVG background) carries the state in red.
      const svg = Buffer.from(/data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)/.exec(html)![1]!, 'base64').toString();
      assert.ok(svg.includes(`${words} 无效`) && svg.includes('rgba(197,34,31'), svg);
    }
  }
});
