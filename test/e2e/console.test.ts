import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { startNode, type RunningNode } from '../support/node-process.js';
import { hmacSm3 } from '../../src/crypto/sm3.js';
import { cstCompactDate } from '../../src/domain/dates.js';
import { makeCitizenId, makeCreditCode } from '../../src/domain/holder-code.js';
import { builtWebApps } from '../../src/server/web-apps.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/**
 * The operator console in Debian's Chromium against a real node: an administrator approves a
 * Sichuan registration, opens a national account, sees the dashboard count the calls made with it,
 * adds a type with a layout template and previews it; the issuing organisation's operator abolishes
 * a certificate and another organisation's cannot. Bad input is answered in place; every page is
 * checked with axe-core and photographed at desktop and phone sizes into test-artifacts/.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const skip = !existsSync(CHROMIUM) ? 'chromium missing (apt-get install chromium)'
  : !builtWebApps().includes('console') ? 'console not built (node scripts/build-web.mjs)' : await postgresSkip();
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const NEW_TYPE = `${makeCreditCode('1', '1', '110000', '00000901X')}901`;
const OTHER_ORG = makeCreditCode('1', '1', '110108', '00000777X');
const PAGES = ['dashboard', 'access', 'certificates', 'catalog', 'usage', 'seals'] as const;
const ADMIN_TOKEN = 'console-test-admin-token';
const ISSUER = { issueDept: '北京市海淀区测试局', issueDeptCode: makeCreditCode('1', '1', '110108', '00000555X') };
const HOLDER = { certificateHolder: '王小明', certificateHolderCode: makeCitizenId('110108', '19900101', 21), certificateHolderType: '111' };
const LICENCE = (number: string) => ({
  certificateType: '测试许可证', certificateTypeCode: `${makeCreditCode('1', '1', '110000', '00000555X')}001`, certificateName: '测试许可证',
  ...HOLDER, ...ISSUER, certificateAreaCode: '110108', certificateNumber: number, issueDate: '2020-01-01', certificateValidateStart: '2020-01-01',
  certificateValidateEnd: '长期', surface: [{ name: '姓名', columnName: 'XM', valueType: 'string', value: HOLDER.certificateHolder }], detail: [],
});
/** One operator of each role; the issuer acts for the organisation that issued the two certificates. */
const OPERATORS = [
  { account: 'admin_1', name: '管理员', role: 'administrator', password: 'admin-pass-1' },
  { account: 'issuer_1', name: '发证员', role: 'issuer', orgCode: ISSUER.issueDeptCode, orgName: ISSUER.issueDept, password: 'issuer-pass-1' },
  { account: 'auditor_1', name: '审计员', role: 'auditor', password: 'auditor-pass-1' },
];

let b: Backend;
let node: RunningNode;
let browser: Browser;
const problems: string[] = [];

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${node.baseUrl}/admin${path}`, {
    method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `admin ${method} ${path}: ${res.status} ${text}`);
  return (path === '/import' ? JSON.parse(text.trim().split('\n').pop()!) : JSON.parse(text)) as T;
}

before(async () => {
  if (skip) return;
  b = await makeBackend('postgres');
  node = await startNode(b, [], { ZHENGZHAO_ADMIN_TOKEN: ADMIN_TOKEN });
  const file = join(mkdtempSync(join(tmpdir(), 'zz-console-')), 'records.ndjson');
  writeFileSync(file, [LICENCE('XK-0001'), LICENCE('XK-0002')].map((r) => JSON.stringify(r)).join('\n') + '\n');
  assert.equal((await admin<{ report: { inserted: number } }>('POST', '/import', { path: file })).report.inserted, 2);
  for (const o of OPERATORS) await admin('POST', '/console-operators', o);
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  mkdirSync(ARTIFACTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await node?.stop();
  await b?.cleanup();
});

const password = (account: string) => OPERATORS.find((o) => o.account === account)?.password ?? '';

async function newPage(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A refused call (the bad input this test sends on purpose) is logged by Chromium as a failed resource; anything else is a fault.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${node.baseUrl}/console/`);
  return { context, page };
}

async function signIn(page: Page, account: string, pass = password(account)): Promise<void> {
  await page.fill('#signin-account', account);
  await page.fill('#signin-password', pass);
  await page.getByRole('button', { name: '登录' }).click();
}

async function open(page: Page, name: string): Promise<void> {
  await page.getByRole('menuitem', { name }).click();
}

/** axe-core in the page: no serious or critical violation. Evaluated through the debugging protocol, so the page's CSP stays as served. */
async function accessible(page: Page, what: string): Promise<void> {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run({ resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(found, [], `${what}: accessibility violations`);
}

async function until(fn: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('the console answers with its content security policy, and its API refuses a call without a session', { skip }, async () => {
  const res = await fetch(`${node.baseUrl}/console/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  const api = await fetch(`${node.baseUrl}/console/api/dashboard`);
  assert.equal(api.status, 401);
  assert.match(((await api.json()) as { error: string }).error, /会话已失效/);

  // The cookie is HttpOnly and SameSite=Strict; a change needs the CSRF token, and the role allowing it.
  const signIn = await fetch(`${node.baseUrl}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: 'auditor_1', password: 'auditor-pass-1' }) });
  const setCookie = signIn.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /^zz_console=[\w-]+; Path=\/console; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const cookie = setCookie.split(';')[0]!;
  const post = (headers: Record<string, string>) => fetch(`${node.baseUrl}/console/api/apps`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'x' }) });
  const noToken = await post({});
  assert.equal(noToken.status, 403);
  assert.match(((await noToken.json()) as { error: string }).error, /CSRF/);
  const auditor = await post({ 'x-csrf-token': csrfToken });
  assert.equal(auditor.status, 403);
  assert.match(((await auditor.json()) as { error: string }).error, /无权限/);
  assert.equal((await fetch(`${node.baseUrl}/console/api/apps`, { headers: { cookie } })).status, 200, 'the auditor reads');
});

test('operator journey: approve, count, catalog, lifecycle by the issuer only', { skip, timeout: 180_000 }, async () => {
  // A Sichuan system registers itself and waits for approval (DB51/T 2942 6.6).
  const reg = await fetch(`${node.baseUrl}/sichuan/v1/Register`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ systemName: '控制台测试系统', systemIp: '127.0.0.1', deptCode: '11510100MB1234567X', deptName: '成都市政务服务管理和网络理政办公室' }),
  });
  const pending = ((await reg.json()) as { accountId: string; approvalStatus: string });
  assert.equal(pending.approvalStatus, 'pending', 'the registration waits for approval');

  const { context, page } = await newPage({ width: 1366, height: 900 });
  // A wrong password is answered in place.
  await signIn(page, 'admin_1', 'wrong-password');
  assert.match(await page.getByTestId('signin-error').innerText(), /账号或密码错误/);
  await signIn(page, 'admin_1');
  await page.getByTestId('total-uses').waitFor();
  const before = Number(await page.getByTestId('total-uses').innerText());

  // Access: approve the registration; open a national account, its secret shown once.
  await open(page, '接入管理');
  const row = page.locator('[data-testid=registrations] tr', { hasText: pending.accountId });
  await row.getByRole('button', { name: '核准' }).click();
  await row.getByText('已核准').waitFor();
  await page.getByRole('tab', { name: '接入账号（全国）' }).click();
  await page.fill('#acc-id', 'bad id!');
  await page.fill('#acc-name', '控制台测试账号');
  await page.locator('form', { has: page.locator('#acc-id') }).getByRole('button', { name: '新增' }).click();
  await page.getByText('body/id must match pattern').waitFor();
  await page.fill('#acc-id', 'console-e2e');
  await page.locator('form', { has: page.locator('#acc-id') }).getByRole('button', { name: '新增' }).click();
  const shown = await page.locator('.secret', { hasText: 'console-e2e' }).innerText();
  const secret = /secret (\S+)/.exec(shown)?.[1] ?? '';
  assert.ok(secret.length >= 16, shown);
  await accessible(page, 'access');
  await page.screenshot({ path: `${ARTIFACTS}console-access-desktop.png`, fullPage: true });

  // Three national calls with the new account: the dashboard counts exactly three more uses.
  const token = hmacSm3(Buffer.from(secret), `console-e2e${cstCompactDate(new Date())}`).toString('hex');
  for (let i = 0; i < 3; i++) {
    const r = await fetch(`${node.baseUrl}/elssp/v1/Retrieval`, {
      method: 'POST', body: new URLSearchParams({ AccountId: 'console-e2e', AccessToken: token, CertificateHolderCode: HOLDER.certificateHolderCode, CertificateHolderType: '111', UseFor: '控制台测试' }),
    });
    assert.equal(((await r.json()) as { head: { status: string } }).head.status, '0');
  }
  await open(page, '概览');
  await until(async () => Number(await page.getByTestId('total-uses').innerText().catch(() => '-1')) === before + 3, `the dashboard to count ${before + 3} uses`);
  await accessible(page, 'dashboard');
  await page.screenshot({ path: `${ARTIFACTS}console-dashboard-desktop.png`, fullPage: true });

  // Catalog: a bad type code is answered in place; a good type gets a template, previewed live and as a PDF.
  await open(page, '证照目录');
  await page.fill('#type-code', '123');
  await page.fill('#type-name', '控制台测试证');
  await page.fill('#field-col-0', 'XM');
  await page.fill('#field-name-0', '姓名');
  await page.getByTestId('add-type-submit').click();
  assert.match(await page.getByTestId('add-type-error').innerText(), /body\/code must match pattern/);
  await page.fill('#type-code', NEW_TYPE);
  await page.fill('#type-authority', '北京市测试局');
  await page.getByRole('button', { name: '添加字段' }).click();
  await page.fill('#field-col-1', 'ZH');
  await page.fill('#field-name-1', '证号');
  await page.getByTestId('add-type-submit').click();
  await page.getByTestId('layout-form').waitFor();
  await page.fill('#layout-title', '控制台测试证书');
  await page.fill('#label-XM', '持证人');
  await page.fill('#layout-footer', '{issuer}\n{bogus}');
  const preview = page.getByTestId('layout-preview');
  assert.equal(await preview.locator('h4').innerText(), '控制台测试证书');
  assert.match(await preview.innerText(), /持证人\s+〔姓名〕/);
  await page.getByTestId('layout-form').getByRole('button', { name: '保存' }).click();
  assert.match(await page.getByTestId('layout-error').innerText(), /unknown placeholder \{bogus\}/);
  await page.fill('#layout-footer', '{issuer}\n发证日期 {issueDate}');
  assert.match(await preview.locator('.foot').innerText(), /北京市测试局\s+发证日期 2024年1月1日/);
  await page.getByTestId('layout-form').getByRole('button', { name: '保存' }).click();
  await page.getByTestId('layout-form').getByText('已保存').waitFor();
  await page.getByTestId('pdf-preview').click();
  assert.match(await page.getByTestId('pdf-frame').getAttribute('src') ?? '', /^blob:/);
  const typeRow = page.locator('[data-testid=types] tr', { hasText: NEW_TYPE });
  await typeRow.getByText('已发布').waitFor();
  await accessible(page, 'catalog');
  await page.screenshot({ path: `${ARTIFACTS}console-catalog-desktop.png`, fullPage: true });

  // Another organisation's issuer: an issuer without its organisation is refused in place.
  await open(page, '接入管理');
  await page.getByRole('tab', { name: '控制台操作员' }).click();
  await page.fill('#op-account', 'other_issuer');
  await page.fill('#op-name', '他机构操作员');
  await page.locator('form', { has: page.locator('#op-account') }).locator('.el-select').click();
  await page.getByRole('option', { name: '发证机构操作员' }).click();
  await page.fill('#op-password', 'other-issuer-1');
  const opForm = page.locator('form', { has: page.locator('#op-account') });
  await opForm.getByRole('button', { name: '新增' }).click();
  await page.getByText('an issuer needs orgCode').waitFor();
  await page.fill('#op-org', OTHER_ORG);
  await opForm.getByRole('button', { name: '新增' }).click();
  await page.locator('tr', { hasText: 'other_issuer' }).waitFor();

  for (const [name, label] of [['usage', '用证记录'], ['seals', '电子印章'], ['certificates', '证照管理']] as const) {
    await open(page, label);
    await page.locator('h2', { hasText: name === 'seals' ? '电子印章' : label }).waitFor();
    await page.waitForLoadState('networkidle');
    await accessible(page, name);
    await page.screenshot({ path: `${ARTIFACTS}console-${name}-desktop.png`, fullPage: true });
  }
  await open(page, '用证记录');
  await page.getByTestId('verify-log').click();
  assert.match(await page.getByTestId('log-verdict').innerText(), /日志完整/);
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.locator('#signin-account').waitFor();

  // The issuing organisation's operator abolishes; a reason is required.
  /** Finds the holder's certificates and opens the one whose row shows the text. */
  const find = async (rowText: string) => {
    await open(page, '证照管理');
    await page.fill('#cert-holder', HOLDER.certificateHolderCode);
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('[data-testid=cert-results] tr', { hasText: rowText }).getByRole('button', { name: '查看' }).click();
    await page.getByTestId('cert-detail').waitFor();
  };
  await signIn(page, 'issuer_1');
  await find('XK-0001');
  assert.equal(await page.getByTestId('cert-detail').getByText('已脱敏').count(), 0, 'the issuer sees its certificate unmasked');
  await page.getByTestId('abolish').click();
  assert.match(await page.getByTestId('action-error').innerText(), /请填写原因/);
  await page.fill('#cert-reason', '控制台测试废止');
  await page.getByTestId('abolish').click();
  await until(async () => (await page.getByTestId('cert-status').innerText()) === '已废止', 'the certificate to be abolished');
  await accessible(page, 'certificate as its issuer');
  await page.screenshot({ path: `${ARTIFACTS}console-certificate-issuer-desktop.png`, fullPage: true });
  await page.getByRole('button', { name: '退出登录' }).click();

  // Another organisation's operator sees it masked and is refused.
  await signIn(page, 'other_issuer', 'other-issuer-1');
  await find('已签发');
  await page.getByTestId('cert-detail').getByText('已脱敏').waitFor();
  await page.fill('#cert-reason', '不应生效');
  await page.getByTestId('abolish').click();
  assert.match(await page.getByTestId('action-error').innerText(), /无权操作/);
  assert.equal(await page.getByTestId('cert-status').innerText(), '已签发');

  // Logout ends the session on the server: the old cookie no longer opens the API.
  const cookie = (await context.cookies()).find((c) => c.name === 'zz_console')!;
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.locator('#signin-account').waitFor();
  const reused = await fetch(`${node.baseUrl}/console/api/dashboard`, { headers: { cookie: `zz_console=${cookie.value}` } });
  assert.equal(reused.status, 401);
  await context.close();
  assert.deepEqual(problems, [], 'no errors in the browser console');
});

test('every page at phone size, in English too', { skip, timeout: 120_000 }, async () => {
  const { context, page } = await newPage({ width: 390, height: 844 });
  await signIn(page, 'auditor_1');
  await page.getByTestId('total-uses').waitFor();
  for (const name of PAGES) {
    await page.goto(`${node.baseUrl}/console/${name}`);
    await page.locator('h2').first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${ARTIFACTS}console-${name}-phone.png`, fullPage: true });
  }
  // The auditor reads only: no approve button, and a write through the API is refused.
  await page.goto(`${node.baseUrl}/console/access`);
  await page.locator('[data-testid=registrations] tr').nth(1).waitFor();
  assert.equal(await page.getByRole('button', { name: '核准' }).count(), 0);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('menuitem', { name: 'Dashboard' }).waitFor();
  await accessible(page, 'access, phone, English');
  await page.screenshot({ path: `${ARTIFACTS}console-access-phone-en.png`, fullPage: true });
  await context.close();
  assert.deepEqual(problems, [], 'no errors in the browser console');
});
