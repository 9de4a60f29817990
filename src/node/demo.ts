import { writeFileSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Services } from './services.js';
import { underStartupLock } from '../store/startup-lock.js';
import { demoRecords, DEMO_ITEM, DEMO_TYPES, DEMO_TYPE_DETAILS, MARRIAGE_FIELDS, MARRIAGE_LAYOUT, type DemoHolder } from './demo-data.js';
import { cstDate } from '../domain/dates.js';
import { makeCreditCode } from '../domain/holder-code.js';
import { ConsoleAuth } from '../core/console-auth.js';

export interface DemoCredentials {
  /** The Zaozhuang interface (DB3704/T 0042): OAuth2 client and an account holding every interface role. */
  zaozhuang?: { apiRoot: string; tokenUrl: string; clientId: string; clientSecret: string; username: string; password: string; roles: string[]; level: string };
  beijing?: { apiRoot: string; webRoot?: string; appKey: string; appSecret: string; account: string; password: string; serviceItem?: { code: string; name: string; licenseItemCode: string } };
  /** A registered and approved system of the Sichuan interface; its token is renewed on every start. */
  sichuan?: { apiRoot: string; accountId: string; accessToken: string; expires: number; systemName: string; systemIp: string };
  national: { baseUrl: string; accountId: string; secret: string; scheme: 'hmac-sm3'; appendixC: { accountId: string; scheme: 'appendix-c'; allowedIps: string[] } };
  /** A registered trusted app of the YRD interface (seed 004) and a scene item that may use every demo type; `zhengzhao yrd` signs with it. */
  yrd?: DemoYrdApp;
  keysUrl: string;
  /** The operator console (/console/): one operator of each role, the issuer acting for the first demo certificate's organisation. */
  console?: DemoConsole;
  holders: DemoHolder[];
  certificateIds: string[];
}

export interface DemoConsole {
  url: string;
  operators: { account: string; password: string; role: 'administrator' | 'issuer' | 'auditor'; name: string; orgCode?: string; orgName?: string }[];
}

/**
 * Seeds an empty node with the demo dataset and demo accounts, and writes demo-credentials.json
 * in the data directory. On a node that already has data it only rewrites the URLs.
 */
export function seedDemo(s: Services, baseUrl: string, log: (m: string) => void): Promise<DemoCredentials> {
  // Nodes starting together on one database seed it once: the others wait, then find the data and the credentials.
  return underStartupLock(s.db, () => seedOnce(s, baseUrl, log));
}

async function seedOnce(s: Services, baseUrl: string, log: (m: string) => void): Promise<DemoCredentials> {
  const path = join(s.cfg.dataDir, 'demo-credentials.json');
  const existing = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as DemoCredentials) : undefined;
  const hasData = (await s.db.query<{ n: number }>('select count(*)::int as n from certificates'))[0]!.n > 0;
  if (existing && hasData) {
    const creds = {
      ...existing, national: { ...existing.national, baseUrl: `${baseUrl}/elssp/v1` }, keysUrl: `${baseUrl}/.well-known/zhengzhao/keys`,
      ...(existing.beijing ? { beijing: { ...existing.beijing, apiRoot: `${baseUrl}/beijing/api`, webRoot: `${baseUrl}/beijing/web` } } : {}),
      sichuan: await demoRegistration(s, baseUrl, existing.sichuan?.accountId),
      // A demo made before the Zaozhuang interface gets its client and account now.
      zaozhuang: { ...(existing.zaozhuang ?? (await seedZaozhuang(s, baseUrl))), ...zaozhuangUrls(baseUrl), level: s.cfg.zaozhuang.level },
      yrd: { ...(existing.yrd ?? (await seedYrd(s, baseUrl))), apiRoot: `${baseUrl}/yrd/v1` },
      console: await seedConsole(s, baseUrl, existing.certificateIds),
    };
    writeFileSync(path, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
    return creds;
  }
  const { records, holders } = demoRecords(cstDate(new Date()));
  for (const t of Object.values(DEMO_TYPES)) {
    const d = DEMO_TYPE_DETAILS[t.code]!;
    await s.types.insertIfMissing({
      code: t.code, name: t.name, defineAuthorityCode: t.code.slice(0, 18), defineAuthorityName: d.defineAuthorityName,
      relatedItemName: d.relatedItemName, validityRange: d.validityRange, fields: t === DEMO_TYPES.marriage ? MARRIAGE_FIELDS : [],
      ...(t === DEMO_TYPES.marriage ? { layout: MARRIAGE_LAYOUT } : {}),
      status: 'published', isOpen: true,
      holderCategory: t === DEMO_TYPES.business || t === DEMO_TYPES.socialOrg ? '法人或其他组织' : '自然人',
    });
  }
  const file = join(tmpdir(), `zhengzhao-demo-${process.pid}.ndjson`);
  // Holder names and ID numbers (made up, but shaped as real ones): readable by this user only, removed below.
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n', { mode: 0o600 });
  const { importer, close } = s.importer();
  try {
    // The demo's originals are made on first download, not here: 600 certificates' files would hold
    // the first start for a minute on two cores (an operator's `zhengzhao import` makes them).
    const report = await importer.importFile(file, 0, { makeFiles: false, onReject: (r) => log(`demo line ${r.line} rejected: ${r.reason}`) });
    log(`demo data: ${report.inserted} certificates for ${holders.length} holders`);
  } finally {
    await close();
    rmSync(file, { force: true });
  }
  const account = existing?.national.secret
    ? { id: existing.national.accountId, secret: existing.national.secret }
    : await s.accounts.create({ id: 'demo', name: '演示接入系统', scheme: 'hmac-sm3', allowedIps: [] });
  if (!existing) {
    await s.accounts.create({ id: 'ZJ1001', name: '附录C示例账号', scheme: 'appendix-c', allowedIps: ['127.0.0.1/32', '::1/128'] });
  }
  const bjApp = existing?.beijing ?? { ...(await s.sessions.addApp('演示业务系统')), account: 'bj_demo', password: 'demo-password-1' };
  if (!existing?.beijing) {
    await s.sessions.addOperator({
      account: bjApp.account, name: '张三', identityNum: holders[0]!.code, role: '市民政局婚姻登记处科员', serviceOrg: '北京市民政局',
      division: '朝阳区', divisionCode: '110105', creator: 'demo',
    }, bjApp.password);
  }
  if (!(await s.items.get(DEMO_ITEM.code))) await s.items.add(DEMO_ITEM);
  // Every issuing organisation of the demo gets its seal, so its layout files can be stamped.
  const issuers = new Map<string, string>([[DEMO_ITEM.orgCode, DEMO_ITEM.orgName]]);
  for (const r of records) issuers.set(String(r.issueDeptCode), String(r.issueDept));
  let made = 0;
  for (const [orgCode, orgName] of issuers) if (await s.seals.ensure({ orgCode, orgName })) made++;
  if (made) log(`demo seals: ${made} issuing organisations`);
  const zz = existing?.zaozhuang ?? (await seedZaozhuang(s, baseUrl));
  const ids = (await s.db.query<{ id: string }>(`select id from certificates where status = 'issued' order by id limit 5`)).map((r) => r.id);
  const creds: DemoCredentials = {
    national: {
      baseUrl: `${baseUrl}/elssp/v1`, accountId: account.id, secret: account.secret!, scheme: 'hmac-sm3',
      appendixC: { accountId: 'ZJ1001', scheme: 'appendix-c', allowedIps: ['127.0.0.1/32', '::1/128'] },
    },
    zaozhuang: { ...zz, ...zaozhuangUrls(baseUrl), level: s.cfg.zaozhuang.level },
    beijing: {
      apiRoot: `${baseUrl}/beijing/api`, webRoot: `${baseUrl}/beijing/web`, appKey: bjApp.appKey, appSecret: bjApp.appSecret, account: bjApp.account, password: bjApp.password,
      serviceItem: { code: DEMO_ITEM.code, name: DEMO_ITEM.name, licenseItemCode: DEMO_TYPES.marriage.code },
    },
    sichuan: await demoRegistration(s, baseUrl, existing?.sichuan?.accountId),
    yrd: await seedYrd(s, baseUrl),
    console: await seedConsole(s, baseUrl, ids),
    keysUrl: `${baseUrl}/.well-known/zhengzhao/keys`,
    holders: holders.slice(0, 8).concat(holders.filter((h) => h.codeType === '001').slice(0, 4)),
    certificateIds: ids,
  };
  writeFileSync(path, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
  return creds;
}

export interface DemoYrdApp {
  apiRoot: string;
  appId: string;
  /** The application key table 8 handed out (the demo keeps it so `zhengzhao yrd` can sign as the app). */
  privateKeyPem: string;
  /** The platform key identity numbers are encrypted to (table 9). */
  platformPublicKey: string;
  scene: { itemCode: string; itemName: string; itemOrg: string };
}

const YRD_ITEM = { code: 'YRD-DEMO', name: '长三角跨省通办（演示）' };

/** A trusted app allocated and registered (tables 8) as an operator and the app would, and the item its scenes name. */
async function seedYrd(s: Services, baseUrl: string): Promise<DemoYrdApp> {
  if (!(await s.items.get(YRD_ITEM.code))) {
    await s.items.add({ code: YRD_ITEM.code, name: YRD_ITEM.name, orgName: DEMO_ITEM.orgName, orgCode: DEMO_ITEM.orgCode, typeCodes: Object.values(DEMO_TYPES).map((t) => t.code) });
  }
  const app = await s.trustedApps.add('演示应用（长三角）');
  const reg = await s.trustedApps.register({ appId: app.appId, appSecret: app.appSecret, corpName: DEMO_ITEM.orgName, corpCode: DEMO_ITEM.orgCode });
  return {
    apiRoot: `${baseUrl}/yrd/v1`, appId: reg.appId, privateKeyPem: reg.privateKeyPem, platformPublicKey: s.nodeKeys.fileSigner().publicKeyHex,
    scene: { itemCode: YRD_ITEM.code, itemName: YRD_ITEM.name, itemOrg: DEMO_ITEM.orgName },
  };
}

const DEMO_SYSTEM = {
  name: '演示业务系统（四川）', address: '127.0.0.1',
  deptCode: makeCreditCode('1', '1', '510000', 'MB1952364'), deptName: '四川省大数据中心',
};

/**
 * The demo's Sichuan caller: registered from loopback as DB51/T 2942 6.6 has a system do it, and
 * approved as an administrator would (`zhengzhao registrations approve`). On a later start the same
 * registration gets a fresh token, since tokens expire.
 */
async function demoRegistration(s: Services, baseUrl: string, accountId: string | undefined): Promise<NonNullable<DemoCredentials['sichuan']>> {
  const known = accountId ? await s.registrations.get(accountId) : undefined;
  let id: string;
  if (known) {
    id = known.accountId;
  } else {
    id = (await s.registrations.register(DEMO_SYSTEM, DEMO_SYSTEM.address)).registration.accountId;
  }
  if ((await s.registrations.get(id))?.status !== 'approved') await s.registrations.decide(id, 'approved');
  const { token, expires } = s.registrations.issueToken(id);
  return { apiRoot: `${baseUrl}/sichuan/v1`, accountId: id, accessToken: token, expires, systemName: DEMO_SYSTEM.name, systemIp: DEMO_SYSTEM.address };
}

/**
 * The console's demo operators, one of each role (made once; their passwords are the demo's own):
 * the issuer acts for the organisation that issued the first demo certificate, so it can suspend or
 * abolish it, and the administrator and auditor see it masked.
 */
async function seedConsole(s: Services, baseUrl: string, certificateIds: string[]): Promise<DemoConsole> {
  const first = certificateIds[0] ? await s.certs.get(certificateIds[0]) : undefined;
  const issuer = first?.issuer ?? { code: DEMO_ITEM.orgCode, name: DEMO_ITEM.orgName };
  const auth = new ConsoleAuth(s.db);
  const operators: DemoConsole['operators'] = [
    { account: 'console_admin', password: 'demo-admin-1', role: 'administrator', name: '系统管理员' },
    { account: 'console_issuer', password: 'demo-issuer-1', role: 'issuer', name: '发证机构操作员', orgCode: issuer.code, orgName: issuer.name },
    { account: 'console_auditor', password: 'demo-auditor-1', role: 'auditor', name: '审计员' },
  ];
  for (const o of operators) await auth.addOperator(o);
  return { url: `${baseUrl}/console/`, operators };
}

function zaozhuangUrls(baseUrl: string) {
  return { apiRoot: `${baseUrl}/license-api-release`, tokenUrl: `${baseUrl}/license-api-release/oauth/token` };
}

/** The Zaozhuang demo client and an account holding every interface role. */
async function seedZaozhuang(s: Services, baseUrl: string): Promise<NonNullable<DemoCredentials['zaozhuang']>> {
  const client = await s.oauth.addClient({ clientId: 'demo-oauth', name: '演示接入系统' });
  const user = await s.oauth.addUser({ username: 'zz_demo', name: '枣庄市演示部门', roles: ['retrieve', 'download', 'info', 'view'], deptName: '枣庄市大数据中心' });
  return {
    ...zaozhuangUrls(baseUrl), clientId: client.clientId, clientSecret: client.clientSecret!, username: user.username, password: user.password!,
    roles: user.roles, level: s.cfg.zaozhuang.level,
  };
}
