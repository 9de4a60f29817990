import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { startNode, type RunningNode } from '../support/node-process.js';
import { signingString } from '../../src/core/trusted-access/apps.js';
import { sm2PrivateKeyFromPem, sm2Sign } from '../../src/crypto/sm2.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const BUILT = new URL('../../dist-web/portal/index.html', import.meta.url).pathname;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const pgSkip = await postgresSkip();
const skip = pgSkip || (!existsSync(CHROMIUM) && 'no /usr/bin/chromium') || (!existsSync(BUILT) && 'the portal is not built (npm run build:web)');

let b: Backend;
let node: RunningNode;
let browser: Browser;
let page: Page;
/** The demo's trusted app (seed 004), which signs its requests, and its scene item. */
let yrd: { apiRoot: string; appId: string; privateKeyPem: string; scene: { itemCode: string; itemName: string; itemOrg: string } };
let citizen: { username: string; password: string; name: string; idNumber: string };
const consoleErrors: string[] = [];

/** A signed app call of the YRD interface, as the trusted app makes it. */
async function yrdCall(path: string, body: Record<string, unknown>): Promise<{ code: number; msg: string; data?: any }> {
  const raw = JSON.stringify(body);
  const url = new URL(`${yrd.apiRoot}${path}`);
  const timestamp = String(Date.now());
  const nonce = randomBytes(16).toString('hex');
  const signature = sm2Sign(Buffer.from(signingString('POST', url.pathname, timestamp, nonce, Buffer.from(raw))), sm2PrivateKeyFromPem(yrd.privateKeyPem)).toString('base64');
  const res = await fetch(url, {
    method: 'POST', body: raw,
    headers: { 'content-type': 'application/json', 'x-yrd-app-id': yrd.appId, 'x-yrd-timestamp': timestamp, 'x-yrd-nonce': nonce, 'x-yrd-signature': signature },
  });
  return (await res.json()) as { code: number; msg: string; data?: any };
}

const scene = () => ({ ...yrd.scene, UseFor: '办理入学手续', operator: '窗口人员王五', bizNum: `BIZ${Date.now()}` });

/** axe-core in the page (evaluated by the driver, so the page's CSP need not allow it): serious and critical violations. */
async function seriousViolations(): Promise<string[]> {
  await page.evaluate(AXE);
  const r = await page.evaluate(async () => (await (globalThis as any).axe.run(document, { resultTypes: ['violations'] })).violations as { id: string; impact: string; nodes: unknown[] }[]);
  return r.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
}

async function shots(name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${ARTIFACTS}portal-${name}-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${ARTIFACTS}portal-${name}-phone.png`, fullPage: true });
}

before(async () => {
  if (skip) return;
  b = await makeBackend('postgres');
  node = await startNode(b, ['--demo'], { ZHENGZHAO_CHECKPOINT_INTERVAL_MS: '1000' });
  const info = node.info as any;
  citizen = info.portal.citizens[0];
  yrd = info.yrd;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true })).newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await node?.stop();
  await b?.cleanup();
});

test('holder journey: sign in at the provider, certificates, a copy, the code decoded by YRD, a request approved, the use seen', { skip }, async () => {
  const info = node.info as any;
  assert.equal(info.portal.url, `${node.baseUrl}/portal/`);

  // The page and its API carry a content security policy; a signed-out visitor is offered the sign-in.
  const first = await page.goto(info.portal.url);
  assert.match(first!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
  await page.getByRole('link', { name: '登录' }).click();
  // The provider's own page: a wrong password is refused there...
  await page.getByLabel('用户名 / Username').fill(citizen.username);
  await page.getByLabel('密码 / Password').fill('not-the-password');
  await page.getByRole('button', { name: '登录 / Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor();
  // ...the right one brings the holder back, signed in.
  await page.getByLabel('密码 / Password').fill(citizen.password);
  await page.getByRole('button', { name: '登录 / Sign in' }).click();
  await page.waitForURL(`${node.baseUrl}/portal/**`);
  await page.locator('p.muted').filter({ hasText: `${citizen.name} · 身份证号 ${citizen.idNumber.slice(0, 6)}********${citizen.idNumber.slice(-4)}` }).waitFor();
  const cookies = await page.context().cookies(`${node.baseUrl}/portal/`);
  const session = cookies.find((c) => c.name === 'zz_portal');
  assert.ok(session && session.httpOnly && session.sameSite === 'Lax', 'the session cookie is HttpOnly and SameSite');

  // My certificates: cards with data; the holder's number masked as elsewhere.
  const cards = page.locator('[data-cert]');
  await cards.first().waitFor();
  assert.ok((await cards.count()) >= 1);
  assert.deepEqual(await seriousViolations(), []);
  await shots('certificates');

  // A copy: an empty purpose is answered in place with the API's message; a real one gives a PDF.
  // A copy of a certificate that cannot be used is refused in place with the API's reason.
  const states = await cards.locator('.el-tag').allInnerTexts();
  assert.ok(states.some((x) => x !== '可用'), `the demo citizen has an abolished, expired or suspended certificate: ${states.join()}`);
  const unusable = cards.filter({ has: page.locator('[data-test=state-reason]') }).first();
  await unusable.getByLabel('用途').fill('办理入学手续');
  await unusable.getByRole('button', { name: '生成复印件' }).click();
  await unusable.locator('[data-test=copy-error]').waitFor();
  assert.match(await unusable.locator('[data-test=copy-error]').innerText(), /不能生成复印件/);
  const card = cards.filter({ has: page.locator('.el-tag', { hasText: /^可用$/ }) }).first();
  await card.getByRole('button', { name: '生成复印件' }).click();
  await card.locator('[data-test=copy-error]').waitFor();
  assert.match(await card.locator('[data-test=copy-error]').innerText(), /purpose/);
  await card.getByLabel('用途').fill('办理入学手续');
  await card.getByRole('button', { name: '生成复印件' }).click();
  const link = card.locator('[data-test=copy-link]');
  await link.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const pdf = readFileSync((await download.path())!);
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(pdf.length > 10_000, 'a whole layout file');

  // A change without the CSRF token is refused, whatever the cookie.
  const forged = await page.evaluate(async () => (await fetch('/portal/api/service-code', { method: 'POST' })).status);
  assert.equal(forged, 403);

  // 亮证: the code with its countdown; the clerk's system decodes it through the YRD interface (table 7).
  await page.getByRole('tab', { name: '亮证' }).click();
  const codeText = page.locator('[data-test=service-code]');
  await codeText.waitFor();
  const qrcode = (await codeText.innerText()).trim();
  assert.match(qrcode, /^YRDSC1\.110000\./);
  assert.match(await page.locator('[data-test=countdown]').innerText(), /\d+ 秒后失效/);
  assert.deepEqual(await seriousViolations(), []);
  await shots('code');
  const decoded = await yrdCall('/service-codes/decode', { ...scene(), qrcode });
  assert.equal(decoded.code, 0, decoded.msg);
  const userinfo = JSON.parse(decoded.data.userinfo);
  assert.equal(userinfo.idNo, `${citizen.idNumber.slice(0, 6)}********${citizen.idNumber.slice(-4)}`);
  assert.ok(JSON.parse(decoded.data.certificatelist).length >= 1);

  // An app asks for the holder's certificates on the strength of the scanned code; the holder sees it.
  const asked = await yrdCall('/trusted-tokens/requests', { ...scene(), transactionId: 'TX-PORTAL-1', authType: '3', qrCode: qrcode, permission: 'info,retrieve@*', validSeconds: '3600' });
  assert.equal(asked.code, 0, asked.msg);
  assert.equal(asked.data.status, 'pending');
  const waiting = await yrdCall('/trusted-tokens/requests/status', { requestId: asked.data.requestId });
  assert.equal(waiting.data.status, 'pending');
  assert.equal(waiting.data.trustedToken, undefined, 'no token before the holder approves');
  await page.getByRole('tab', { name: '授权' }).click();
  const request = page.locator(`[data-request="${asked.data.requestId}"]`);
  await request.waitFor();
  const shown = await request.innerText();
  for (const s of [yrd.scene.itemName, yrd.scene.itemOrg, '办理入学手续', '查看数据', '待处理']) assert.ok(shown.includes(s), `the request shows ${s}: ${shown}`);
  assert.deepEqual(await seriousViolations(), []);
  await shots('request');
  await request.getByRole('button', { name: '同意' }).click();
  await request.locator('[data-test=status]').filter({ hasText: '已同意' }).waitFor();

  // The app collects the token and uses it; the use appears in the holder's record, with its log proof.
  const granted = await yrdCall('/trusted-tokens/requests/status', { requestId: asked.data.requestId });
  assert.equal(granted.data.status, 'approved');
  assert.match(granted.data.trustedToken, /^YRDT1\./);
  const used = await yrdCall('/certificates/retrieval', { ...scene(), trustedToken: granted.data.trustedToken });
  assert.equal(used.code, 0, used.msg);
  await page.getByRole('tab', { name: '用证记录' }).click();
  const retrieval = page.locator('[data-use]').filter({ hasText: 'yrd/Retrieval' }).first();
  await retrieval.waitFor();
  assert.ok((await retrieval.innerText()).includes(yrd.scene.itemName));
  // Checkpoints are signed every second here: the use is soon in one, with its inclusion proof.
  for (let i = 0; i < 20 && !(await retrieval.locator('[data-test=log-state]').innerText()).includes('已记入'); i++) {
    await new Promise((r) => setTimeout(r, 500));
    await page.getByRole('button', { name: '刷新' }).last().click();
  }
  assert.match(await retrieval.locator('[data-test=log-state]').innerText(), /已记入 #\d+ \/ \d+/);
  assert.deepEqual(await seriousViolations(), []);
  await shots('uses');

  // Revoked by the holder, the token stops working.
  await page.getByRole('tab', { name: '授权' }).click();
  await request.getByRole('button', { name: '撤销授权' }).click();
  await request.locator('[data-test=status]').filter({ hasText: '已撤销' }).waitFor();
  const after = await yrdCall('/certificates/retrieval', { ...scene(), trustedToken: granted.data.trustedToken });
  assert.notEqual(after.code, 0);

  // English is available.
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('tab', { name: 'Certificates' }).waitFor();

  // The only console errors are the browser's notes of the deliberately refused requests (the empty purpose, the forged change, the unusable copy).
  const unexpected = consoleErrors.filter((e) => !/status of (400|403|409)/.test(e));
  assert.deepEqual(unexpected, []);
});
