import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import { annotateOfd, renderCertificateOfd } from '../../src/files/ofd/index.js';
import { testSigner } from '../support/sm2-signer.js';
import { sampleInput, sampleSeal, SAMPLE_ID } from '../support/ofd-sample.js';
import { decodePng } from '../support/png.js';

/**
 * The OFD file in an independent reader: ofd.js (the open-source 0.2.x build; 1.x needs a vendor
 * licence key) parses the package, draws the page as HTML/SVG and the seal from SignedValue.dat, and
 * checks the SES_Signature with its own SM2 code (sm-crypto). It runs in Debian's headless Chromium,
 * served from loopback; the screenshot is kept in test-artifacts/.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium to run the OFD render test`;

const PAGE = `<!doctype html><meta charset="utf-8"><body style="margin:0;background:#fff"><div id="out"></div>
<script src="/ofd.js"></script>
<script>
window.rendered = fetch('/' + location.search.slice(1) + '.ofd').then((r) => r.arrayBuffer()).then((buf) => new Promise((resolve) => {
  ofd.parseOfdDocument({
    ofd: buf,
    success(res) {
      try {
        const divs = ofd.renderOfd(794, res[0]);
        for (const d of divs) document.getElementById('out').appendChild(d);
        resolve({ ok: true, pages: divs.length });
      } catch (e) { resolve({ ok: false, error: String(e && e.stack || e) }); }
    },
    fail(e) { resolve({ ok: false, error: String(e) }); },
  });
}));
</script>`;

test('ofd.js renders the page in headless Chromium and verifies the seal signature', { skip, timeout: 120_000 }, async () => {
  const signer = testSigner('issuing node');
  const seal = sampleSeal(signer, '北京市朝阳区民政局');
  const good = await renderCertificateOfd(sampleInput(seal), signer);
  // The same file with one byte of the stamp's SM2 signature changed: ofd.js must notice by itself.
  const files = unzipSync(good);
  const value = Buffer.from(files['Doc_0/Signs/Sign_0/SignedValue.dat']!);
  value[value.length - 5] ^= 0x01;
  const bad = Buffer.from(zipSync({ ...files, 'Doc_0/Signs/Sign_0/SignedValue.dat': value }));
  // An annotated copy, its package rewritten with the original's entries copied compressed.
  const copy = annotateOfd(good, {
    text: '仅供办理不动产登记使用，有效期至2030年1月1日', madeAt: '2029-12-01T10:00:00+08:00', maker: '北京市朝阳区民政局',
    reason: '办理不动产登记', expiresAt: '2030-01-01T00:00:00+08:00',
  }, signer);

  const ofdJs = readFileSync(createRequire(import.meta.url).resolve('ofd.js/lib/ofd.umd.min.js'));
  const routes: Record<string, [string, Buffer | string]> = {
    '/': ['text/html; charset=utf-8', PAGE], '/ofd.js': ['text/javascript', ofdJs],
    '/good.ofd': ['application/ofd', good], '/bad.ofd': ['application/ofd', bad], '/copy.ofd': ['application/ofd', copy],
  };
  const server = createServer((req, res) => {
    const r = routes[(req.url ?? '').split('?')[0]!];
    if (r) res.writeHead(200, { 'content-type': r[0] }).end(r[1]); else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const open = async (name: string) => {
      const page = await browser.newPage({ viewport: { width: 820, height: 1160 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${base}?${name}`);
      const result = await page.evaluate(() => (window as unknown as { rendered: Promise<{ ok: boolean; pages?: number; error?: string }> }).rendered);
      assert.deepEqual(result, { ok: true, pages: 1 }, `${name}: ${JSON.stringify(result)} ${errors.join('; ')}`);
      await page.locator('[name=seal_img_div] image').waitFor({ state: 'attached', timeout: 10_000 });
      const stamp = await page.evaluate(() => {
        const e = document.querySelector('[name=seal_img_div]') as HTMLElement;
        return { info: JSON.parse(e.dataset.signedInfo!) as { VerifyRet: boolean; SignatureMethod: string }, box: e.getBoundingClientRect().toJSON() as DOMRect };
      });
      return { page, stamp };
    };

    const { page, stamp } = await open('good');
    const text = (await page.locator('#out').innerText()).replace(/\s+/g, '');
    for (const s of ['结婚证', '持证人', '张三', '2014年3月4日', 'J320000-2011-001327', SAMPLE_ID]) assert.ok(text.includes(s), `the page shows ${s}`);
    assert.equal(stamp.info.VerifyRet, true, 'ofd.js verifies the SES_Signature with its own SM2 code');
    assert.equal(stamp.info.SignatureMethod, '1.2.156.10197.1.501');

    mkdirSync(ARTIFACTS, { recursive: true });
    const pageBox = (await page.locator('#out > div').first().boundingBox())!;
    const shot = await page.screenshot({ path: `${ARTIFACTS}ofd-render.png`, clip: pageBox });
    const png = decodePng(shot);
    let ink = 0;
    for (let y = 0; y < png.height; y += 2) for (let x = 0; x < png.width; x += 2) if (png.pixel(x, y).slice(0, 3).some((c) => c < 200)) ink++;
    assert.ok(ink > 2000, `the page is drawn, not blank (${ink} dark samples)`);
    // The seal: red pixels inside the stamp's box, drawn by ofd.js from the picture in the SESeal.
    let red = 0;
    const sx = Math.round(stamp.box.x - pageBox.x), sy = Math.round(stamp.box.y - pageBox.y);
    for (let y = sy; y < sy + stamp.box.height && y < png.height; y++) {
      for (let x = sx; x < sx + stamp.box.width && x < png.width; x++) {
        const [r, g, b] = png.pixel(x, y);
        if (r > 170 && g < 90 && b < 90) red++;
      }
    }
    assert.ok(red > 1500, `the seal shows in red where the StampAnnot says (${red} red pixels)`);
    console.log(`# ofd.js: ${ink} dark samples on the page, ${red} red seal pixels; screenshot ${ARTIFACTS}ofd-render.png`);

    const copied = await open('copy');
    assert.equal(copied.stamp.info.VerifyRet, true, 'ofd.js verifies the annotated copy\'s seal signature');
    const copyText = (await copied.page.locator('#out').innerText()).replace(/\s+/g, '');
    assert.ok(copyText.includes('张三'), 'the copy shows the original page');

    const tampered = await open('bad');
    assert.equal(tampered.stamp.info.VerifyRet, false, 'ofd.js rejects a changed signature');
  } finally {
    await browser.close();
    server.close();
  }
});
