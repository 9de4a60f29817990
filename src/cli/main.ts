import { Command, Option } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { loadConfig, type Config, type ConfigFlags } from '../config.js';
import { openServices, type Services } from '../node/services.js';
import { AccountService } from '../core/accounts.js';
import { cstCompactDate } from '../domain/dates.js';
import { serve } from './serve.js';
import { printImport, runImportLocal } from './import.js';
import { parseFieldSpec, type NewType } from '../core/catalog.js';
import type { TypeStatus } from '../domain/model.js';
import type { ServiceItem } from '../store/service-items.js';
import type { NewSeal, SealSummary } from '../core/seals.js';
import type { Registration, RegistrationStatus } from '../store/registrations.js';
import {
  aggregateLocal, printAggregate, printErrors, printExchange, printReport, printRereport, runExchange,
} from './aggregation.js';
import { INTERFACE_ROLES, INTERFACE_ROLE_NAMES, parseInterfaceRole } from '../domain/interface-roles.js';
import type { MemberNodeListing, NewMemberNode } from '../federation/registry.js';
import { NATIONAL_INTERFACE } from '../federation/national-node.js';
import { syncTypes } from '../federation/sync-types.js';
import { checkFederation } from '../config.js';
import { addMemberNode, removeMemberNode } from '../federation/members.js';
import { registerPeerCommands } from './peers.js';
import { registerYrdClientCommands } from './yrd-client.js';
import { tokenAccount, type TokenFlags } from './token.js';
import { embeddedStatus, stopEmbedded } from '../store/embedded/server.js';
import type { AdminActor, AdminLifecycleResult } from '../core/lifecycle-admin.js';
import { registerLogCommands } from './log.js';

interface Common extends ConfigFlags { json?: boolean }

/** The version in package.json, beside src/ and dist/ alike. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const program = new Command()
  .name('zhengzhao')
  .description('Electronic certificate sharing platform (电子证照共享服务系统)')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError();

const withData = (cmd: Command) =>
  cmd
    .option('--data <dir>', 'data directory (embedded PostgreSQL cluster, keys, files)', undefined)
    .option('--database-url <url>', 'PostgreSQL server instead of the embedded database (or DATABASE_URL)')
    .option('--json', 'machine-readable output');

/**
 * Runs an administrative action on the data, opening the database directly: the embedded server is
 * shared with any node running on the same data directory (started here if none runs, and stopped
 * again after if no node took it meanwhile).
 */
async function onData<T>(flags: Common, local: (s: Services) => Promise<T>): Promise<T> {
  // Only the data location: other options (users add --role, items add --area-code) are not node settings.
  const cfg = loadConfig({ data: flags.data, databaseUrl: flags.databaseUrl });
  const s = await openServices(cfg, { warn: (m) => console.error(`warning: ${m}`), notice: (m) => console.error(m) });
  try {
    return await local(s);
  } finally {
    await s.close();
  }
}

const out = (flags: Common, value: unknown, human: () => string) =>
  console.log(flags.json ? JSON.stringify(value, null, 2) : human());

withData(program.command('serve').description('run a node'))
  .option('--port <port>', 'TCP port (or PORT)', undefined)
  .option('--host <host>', 'address to listen on (or HOST)', undefined)
  .option('--public-url <url>', 'base URL clients reach this node at (download links are built on it)')
  .option('--demo', 'seed demo data and accounts into an empty data directory')
  .addOption(new Option('--role <role>', 'province (the default; also a city or a central department) or hub (or ZHENGZHAO_ROLE)').choices(['province', 'hub']))
  .option('--area-code <code>', 'the division this node answers for, GB/T 2260 (or ZHENGZHAO_AREA_CODE)')
  .option('--data-source <code>', 'its appendix H data-source code: 0xx central department, 1xx region (or ZHENGZHAO_DATA_SOURCE)')
  .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (or ZHENGZHAO_TLS_CERT)')
  .option('--tls-key <file>', 'and this PEM private key (or ZHENGZHAO_TLS_KEY)')
  .option('--trust-proxy <cidrs>', 'reverse proxies whose X-Forwarded-For is believed, e.g. 10.0.0.0/8,::1 (or ZHENGZHAO_TRUST_PROXY)')
  .action(async (flags: Common & { demo?: boolean }) => {
    await serve(loadConfig(flags), { demo: !!flags.demo, json: !!flags.json });
  });

const db = program.command('db').description('the embedded PostgreSQL server of a data directory');
db.command('status').description('where it listens, its server process, and the processes using it')
  .option('--data <dir>', 'data directory', undefined).option('--json', 'machine-readable output')
  .action((flags: Common) => {
    const st = embeddedStatus(loadConfig({ data: flags.data }).dataDir);
    out(flags, st, () => st.state === 'absent' ? `no embedded cluster in ${st.pgdata}`
      : `${st.pgdata} (${st.state}): ${st.postmaster ? `running, pid ${st.postmaster}, on 127.0.0.1:${st.port}` : `stopped (port ${st.port ?? '-'})`}; used by ${st.users.length ? st.users.join(', ') : 'no process'}`);
  });
db.command('stop').description('stop it whoever uses it (a server a killed node left behind)')
  .option('--data <dir>', 'data directory', undefined).option('--json', 'machine-readable output')
  .action(async (flags: Common) => {
    const stopped = await stopEmbedded(loadConfig({ data: flags.data }).dataDir);
    out(flags, { stopped }, () => (stopped ? 'stopped' : 'not running'));
  });

const accounts = program.command('accounts').description('calling systems of the national interface (接入方)');
withData(accounts.command('add').description('create a calling system; prints its secret once'))
  .requiredOption('--id <id>', 'AccountId')
  .requiredOption('--name <name>', 'name of the calling system')
  .addOption(new Option('--scheme <scheme>', 'AccessToken scheme').choices(['hmac-sm3', 'appendix-c']).default('hmac-sm3'))
  .option('--ip <cidr...>', 'addresses it may call from (required for appendix-c)')
  .action(async (flags: Common & { id: string; name: string; scheme: 'hmac-sm3' | 'appendix-c'; ip?: string[] }) => {
    const input = { id: flags.id, name: flags.name, scheme: flags.scheme, allowedIps: flags.ip ?? [] };
    const created = await onData(flags,
      (s) => s.accounts.create(input));
    console.log(JSON.stringify(created, null, 2));
  });
withData(accounts.command('list').description('list calling systems'))
  .action(async (flags: Common) => {
    const list = await onData(flags, (s) => s.accounts.list());
    out(flags, list, () => list.map((a) => `${a.id}\t${a.scheme}\t${a.name}\t${a.allowedIps.join(',')}`).join('\n') || '(none)');
  });

const registrations = program.command('registrations').description('systems that registered themselves (DB51/T 2942 6.6); each waits for approval');
const showRegistration = (r: Registration) => [r.accountId, r.status, r.systemName, r.systemIp, `${r.deptCode} ${r.deptName}`, r.registeredAt].join('\t');
withData(registrations.command('list').description('list registrations, oldest first'))
  .addOption(new Option('--status <status>', 'only registrations with this status').choices(['pending', 'approved', 'rejected']))
  .action(async (flags: Common & { status?: RegistrationStatus }) => {
    const list = await onData(flags, (s) => s.registrations.list(flags.status));
    out(flags, list, () => list.map(showRegistration).join('\n') || '(none)');
  });
for (const [verb, status] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
  withData(registrations.command(`${verb} <accountId>`).description(status === 'approved'
    ? 'approve a registration: its token works from its registered address'
    : 'reject a registration (also revokes an approved one): its calls answer 11'))
    .action(async (id: string, flags: Common) => {
      const r = await onData(flags, (s) => s.registrations.decide(id, status));
      out(flags, r, () => showRegistration(r));
    });
}

const apps = program.command('apps').description('applications of the issuing-side interfaces');
withData(apps.command('list').description('list apps (app_key and name; secrets are never shown)'))
  .action(async (flags: Common) => {
    const list = await onData(flags, (s) => s.sessions.listApps());
    out(flags, list, () => list.map((a) => `${a.appKey}\t${a.createdAt}\t${a.name}`).join('\n'));
  });
withData(apps.command('add').description('create an app; prints app_key and app_secret once'))
  .requiredOption('--name <name>', 'name of the application')
  .action(async (flags: Common & { name: string }) => {
    const created = await onData(flags, (s) => s.sessions.addApp(flags.name));
    console.log(JSON.stringify(created, null, 2));
  });

const users = program.command('users').description('operators who log in to the issuing-side interfaces');
withData(users.command('list').description('list operators'))
  .action(async (flags: Common) => {
    const list = await onData(flags, (s) => s.sessions.listOperators());
    out(flags, list, () => list.map((o) => [o.account, o.name, o.role ?? '', o.division ?? '', o.sensitiveAccess ? 'sensitive-access' : ''].join('\t').trimEnd()).join('\n'));
  });
withData(users.command('add').description('create an operator'))
  .requiredOption('--account <account>', 'login account')
  .requiredOption('--name <name>', 'full name')
  .requiredOption('--password <password>', 'password (at least 8 characters)')
  .option('--identity-num <id>', 'identity number')
  .option('--role <role>', 'role, e.g. 市XX局XX处室科员')
  .option('--service-org <org>', 'service organisation')
  .option('--division <name>', 'division, e.g. 朝阳区')
  .option('--division-code <code>', 'division code (GB/T 2260, 6 digits)')
  .option('--sensitive-access', 'may see sensitive fields unmasked when a call asks to (show_sensitive_data)')
  .action(async (flags: Common & { account: string; name: string; password: string; identityNum?: string; role?: string; serviceOrg?: string; division?: string; divisionCode?: string; sensitiveAccess?: boolean }) => {
    const o = { account: flags.account, name: flags.name, identityNum: flags.identityNum, role: flags.role, serviceOrg: flags.serviceOrg, division: flags.division, divisionCode: flags.divisionCode, sensitiveAccess: flags.sensitiveAccess === true, creator: 'cli' };
    const created = await onData(flags, (s) => s.sessions.addOperator(o, flags.password));
    console.log(JSON.stringify(created, null, 2));
  });

const oauthClients = program.command('oauth-clients').description('OAuth2 clients of the Zaozhuang interface (client_id / client_secret, DB3704/T 0042 4.3.1)');
withData(oauthClients.command('add').description('create a client; prints a generated secret once'))
  .requiredOption('--id <id>', 'client_id, e.g. xxxx-oauth')
  .requiredOption('--name <name>', 'name of the calling system')
  .option('--secret <secret>', 'client_secret to use (4.3.1 calls it a fixed value); generated when omitted')
  .option('--scope <scope...>', 'scopes the client may ask for', ['read', 'write'])
  .action(async (flags: Common & { id: string; name: string; secret?: string; scope: string[] }) => {
    const input = { clientId: flags.id, name: flags.name, secret: flags.secret, scopes: flags.scope };
    const created = await onData(flags, (s) => s.oauth.addClient(input));
    console.log(JSON.stringify(created, null, 2));
  });
withData(oauthClients.command('list').description('list OAuth2 clients'))
  .action(async (flags: Common) => {
    const list = await onData(flags, (s) => s.oauth.listClients());
    out(flags, list, () => list.map((c) => `${c.clientId}\t${c.scopes.join(' ')}\t${c.name}`).join('\n') || '(none)');
  });

const oauthUsers = program.command('oauth-users').description('accounts of the Zaozhuang interface (username / password, 4.2) and their interface roles (3.2)');
withData(oauthUsers.command('add').description('create an account; prints a generated password once'))
  .requiredOption('--username <username>', 'username (访问标识)')
  .requiredOption('--name <name>', 'name, e.g. the department')
  .requiredOption('--role <role...>', `interface roles: ${INTERFACE_ROLES.map((r) => `${r} (${INTERFACE_ROLE_NAMES[r]})`).join(', ')}`)
  .option('--password <password>', 'password (at least 8 characters); generated when omitted')
  .option('--dept-name <name>', 'department name')
  .action(async (flags: Common & { username: string; name: string; role: string[]; password?: string; deptName?: string }) => {
    const roles = flags.role.flatMap((r) => r.split(',')).map((r) => {
      const role = parseInterfaceRole(r);
      if (!role) throw new Error(`--role: ${r} is not one of ${INTERFACE_ROLES.join(', ')} (or ${Object.values(INTERFACE_ROLE_NAMES).join(', ')})`);
      return role;
    });
    const input = { username: flags.username, name: flags.name, roles, password: flags.password, deptName: flags.deptName };
    const created = await onData(flags, (s) => s.oauth.addUser(input));
    console.log(JSON.stringify(created, null, 2));
  });
withData(oauthUsers.command('list').description('list accounts and their roles'))
  .action(async (flags: Common) => {
    const list = await onData(flags, (s) => s.oauth.listUsers());
    out(flags, list, () => list.map((u) => `${u.username}\t${u.roles.join(',')}\t${u.name}${u.locked ? '\t(locked)' : ''}`).join('\n') || '(none)');
  });
withData(oauthUsers.command('revoke <username>').description("revoke every token of an account (its callers must log in again)"))
  .action(async (username: string, flags: Common) => {
    const revoked = await onData(flags, (s) => s.oauth.revokeUser(username));
    out(flags, { username, revoked }, () => `${username}: ${revoked} token(s) revoked`);
  });

const trustedApps = program.command('trusted-apps').description('trusted apps of the Yangtze River Delta interface (可信应用, seed 004 5.2)');
withData(trustedApps.command('add').description('allocate an appID and appSecret; prints the secret once (the app then registers, table 8)'))
  .requiredOption('--name <name>', 'name of the application')
  .action(async (flags: Common & { name: string }) => {
    const created = await onData(flags, (s) => s.trustedApps.add(flags.name));
    console.log(JSON.stringify(created, null, 2));
  });
withData(trustedApps.command('list').description('list trusted apps and whether they registered'))
  .action(async (flags: Common) => {
    const list = await onData(flags, (s) => s.trustedApps.list());
    out(flags, list, () => list.map((a) => [a.appId, a.name, a.corpCode ? `${a.corpCode} ${a.corpName}` : '(not registered)', a.disabled ? 'disabled' : ''].join('\t')).join('\n') || '(none)');
  });
for (const [action, what] of [['disable', 'refuse every request of an app from now on (code 33, 应用已停用)'], ['enable', 'let a disabled app in again']] as const) {
  withData(trustedApps.command(`${action} <appId>`).description(what))
    .action(async (appId: string, flags: Common) => {
      const app = await onData(flags, (s) => s.trustedApps.setDisabled(appId, action === 'disable'));
      if (!app) throw new Error(`no trusted app ${appId}`);
      out(flags, app, () => `${app.appId}: ${app.disabled ? 'disabled' : 'enabled'}`);
    });
}
const trustedTokens = program.command('trusted-tokens').description('natural-person trusted tokens this node issued (table 9)');
withData(trustedTokens.command('list').description('list the tokens still good, newest first (holders are never shown: only their blind index is kept)'))
  .option('--app <appId>', 'only those issued to this trusted app')
  .option('--holder <idNo>', "only this holder's (citizen identity number)")
  .option('--all', 'expired and revoked ones too')
  .option('--limit <n>', 'at most this many', '100')
  .action(async (flags: Common & { app?: string; holder?: string; all?: boolean; limit: string }) => {
    const limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit: a whole number of at least 1');
    const list = await onData(flags, (s) => s.trustedAccess.listTokens({ appId: flags.app, holderCode: flags.holder, all: flags.all, limit }));
    const state = (t: (typeof list)[number]) => (t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : t.expiresAt.getTime() <= Date.now() ? 'expired' : 'good');
    out(flags, list, () => list.map((t) => [t.id, t.appId, t.permission, t.issuedAt.toISOString(), t.expiresAt.toISOString(), state(t)].join('\t')).join('\n') || '(none)');
  });
withData(trustedTokens.command('revoke <tokenId>')
  .description('revoke a token: every node that pulls this node\'s revocation list refuses it'))
  .action(async (id: string, flags: Common) => {
    await onData(flags, (s) => s.trustedAccess.revoke(id));
    out(flags, { tokenId: id, revoked: true }, () => `${id}: revoked`);
  });

const items = program.command('items').description('service items (事项): who may issue and use which certificate types');
withData(items.command('add').description('create a service item'))
  .requiredOption('--code <code>', 'item code')
  .requiredOption('--name <name>', 'item name, e.g. 婚姻登记')
  .requiredOption('--org-name <name>', 'organisation handling the item: the issuer of what it issues')
  .requiredOption('--org-code <code>', "the organisation's unified social credit code")
  .option('--area-code <code>', 'area code (GB/T 2260)')
  .requiredOption('--type <code...>', 'certificate types the item may issue and use')
  .action(async (flags: Common & { code: string; name: string; orgName: string; orgCode: string; areaCode?: string; type: string[] }) => {
    const input: ServiceItem = { code: flags.code, name: flags.name, orgName: flags.orgName, orgCode: flags.orgCode, areaCode: flags.areaCode, typeCodes: flags.type };
    const item = await onData(flags, (s) => s.items.add(input));
    out(flags, item, () => `${item.code}\t${item.name}\t${item.orgName}\t${item.typeCodes.join(',')}`);
  });
withData(items.command('list').description('list service items'))
  .action(async (flags: Common) => {
    const list = await onData(flags, (s) => s.items.list());
    out(flags, list, () => list.map((i) => `${i.code}\t${i.name}\t${i.orgName}\t${i.typeCodes.join(',')}`).join('\n') || '(none)');
  });

const seals = program.command('seals').description('electronic seals of issuing organisations (电子印章, GB/T 38540)');
const sealLine = (x: SealSummary) => `${x.esId}\t${x.orgCode}\t${x.orgName}\t${x.validFrom.slice(0, 10)} – ${x.validTo.slice(0, 10)}`;
withData(seals.command('add').description("make a seal for an organisation, signed by the node key; it supersedes the organisation's older seal"))
  .requiredOption('--org-code <code>', "the organisation's unified social credit code")
  .requiredOption('--org-name <name>', 'the name on the seal, e.g. 北京市朝阳区民政局')
  .option('--valid-years <n>', 'validity in years', '5')
  .action(async (flags: Common & { orgCode: string; orgName: string; validYears: string }) => {
    const input: NewSeal = { orgCode: flags.orgCode, orgName: flags.orgName, validYears: Number(flags.validYears) };
    const seal = await onData(flags, (s) => s.seals.add(input));
    out(flags, seal, () => `created seal ${seal.esId} for ${seal.orgName} (${seal.orgCode}), valid ${seal.validFrom} to ${seal.validTo}, made by node key ${seal.makerKid}`);
  });
withData(seals.command('list').description('list seals, newest first per organisation'))
  .action(async (flags: Common) => {
    const list = await onData(flags, (s) => s.seals.list());
    out(flags, list, () => list.map(sealLine).join('\n') || '(none)');
  });

const types = program.command('types').description('the certificate type catalog (证照目录)');
withData(types.command('add').description('create a certificate type (published unless --draft)'))
  .requiredOption('--code <code>', 'type code: defining authority code (18) + 3 digits')
  .requiredOption('--name <name>', 'type name, e.g. 结婚证')
  .option('--authority <name>', 'name of the defining authority')
  .option('--item-name <name>', 'related service item name')
  .option('--item-code <code>', 'related service item code')
  .option('--holder-category <category>', '自然人, 法人或其他组织, 混合 or 其他')
  .option('--validity <range>', 'validity range, e.g. 长期')
  .option('--field <spec...>', 'field definitions: columnName:name[:picture][:required][:sensitive][:role=R] (R: holderName, holderCode, holderCodeType, number, issueDate, validFrom, validTo, areaCode)')
  .option('--draft', 'create as a draft')
  .action(async (flags: Common & { code: string; name: string; authority?: string; itemName?: string; itemCode?: string; holderCategory?: string; validity?: string; field?: string[]; draft?: boolean }) => {
    const input: NewType = {
      code: flags.code, name: flags.name, defineAuthorityName: flags.authority, relatedItemName: flags.itemName, relatedItemCode: flags.itemCode,
      holderCategory: flags.holderCategory, validityRange: flags.validity, fields: (flags.field ?? []).map(parseFieldSpec), draft: flags.draft,
    };
    const t = await onData(flags, (s) => s.catalog.add(input));
    out(flags, t, () => `${t.code}\t${t.status}\t${t.name}`);
  });
withData(types.command('list').description('list certificate types'))
  .addOption(new Option('--status <status>', 'only types with this status').choices(['draft', 'published', 'withdrawn']))
  .action(async (flags: Common & { status?: TypeStatus }) => {
    const list = await onData(flags, (s) => s.catalog.list(flags.status));
    out(flags, list, () => list.map((t) => `${t.code}\t${t.status}\t${t.name}`).join('\n') || '(none)');
  });
for (const [verb, status] of [['publish', 'published'], ['withdraw', 'withdrawn']] as const) {
  withData(types.command(`${verb} <code>`).description(`${verb} a certificate type`))
    .action(async (code: string, flags: Common) => {
      const t = await onData(flags, (s) => s.catalog.setStatus(code, status));
      out(flags, t, () => `${t.code}\t${t.status}\t${t.name}`);
    });
}

withData(types.command('layout <code>').description("set the layout template of a type's files (JSON: title, fields [{column, label}], footer); --clear for the default layout"))
  .option('--file <file>', 'the template, a JSON file')
  .option('--clear', 'remove the template: the default layout again')
  .action(async (code: string, flags: Common & { file?: string; clear?: boolean }) => {
    if (!flags.file === !flags.clear) throw new Error('give either --file FILE or --clear');
    const template: unknown = flags.file ? JSON.parse(readFileSync(flags.file, 'utf8')) : undefined;
    const t = await onData(flags, (s) => s.catalog.setLayout(code, template));
    out(flags, t, () => `${t.code}	${t.layout ? `layout: ${t.layout.title ?? t.name}, ${t.layout.fields?.length ?? 'all'} fields` : 'default layout'}	${t.name}`);
  });

program.command('token').description("compute today's national AccessToken for an account")
  .requiredOption('--id <id>', 'AccountId')
  .option('--secret <secret>', 'the account secret (hmac-sm3 accounts)')
  .option('--appendix-c', 'an appendix-c account: SM3(AccountId + yyyyMMdd), no secret')
  .option('--from-credentials [file]', "take the account's scheme and secret from the demo's credentials (default DIR/demo-credentials.json)")
  .option('--date <yyyyMMdd>', 'another day (China Standard Time)')
  .option('--json', 'machine-readable output')
  .action((flags: TokenFlags & { date?: string; json?: boolean }) => {
    const day = flags.date ?? cstCompactDate(new Date());
    if (!/^\d{8}$/.test(day)) throw new Error('--date: yyyyMMdd expected');
    const { scheme, secret } = tokenAccount(flags);
    const accessToken = AccountService.expectedToken({ id: flags.id, scheme, secret }, day);
    out(flags, { accountId: flags.id, day, scheme, accessToken }, () => accessToken);
  });

withData(program.command('import <file>').description('load NDJSON certificate records (F.1.5 shape)'))
  .option('--no-files', "don't make the PDF and OFD originals now (a bulk load: each is made on its first download instead)")
  .action(async (file: string, flags: Common & { files: boolean }) => {
    const size = statSync(file).size;
    const report = await onData(flags, (s) => runImportLocal(s, file, size, !!flags.json, flags.files));
    printImport(report, !!flags.json);
    // Any rejected line fails the command (what was valid stays written): a script must not take a partial import for a whole one.
    if (report.rejected > 0) process.exitCode = 1;
  });

program.command('exchange').description("move new lic_data rows from a province's front DB to the hub's, and the hub's lic_data_error rows for them back (ZWFW C 0124 5.3)")
  .requiredOption('--from <url|dir>', "the province's database (PostgreSQL URL, or its data directory on the embedded server)")
  .requiredOption('--to <url|dir>', "the hub's database (PostgreSQL URL, or its data directory on the embedded server)")
  .option('--chunk <n>', 'rows per transaction', '5000')
  .option('--json', 'machine-readable output')
  .action(async (flags: { from: string; to: string; chunk: string; json?: boolean }) => {
    const summary = await runExchange(flags.from, flags.to, Math.max(1, Number(flags.chunk) || 5000), !!flags.json);
    out(flags, summary, () => printExchange(summary));
  });

withData(program.command('aggregate').description("apply new lic_data rows to the hub's catalog; refused rows go to lic_data_error (ZWFW C 0124 5.3)"))
  .option('--report', 'do not aggregate: show the position and each Cd_batch (received, applied, rejected)')
  .option('--batch <cd_batch>', 'with --report: only this batch')
  .action(async (flags: Common & { report?: boolean; batch?: string }) => {
    if (flags.report) {
      const r = await onData(flags, (s) => s.aggregator.report({ batch: flags.batch }));
      out(flags, r, () => printReport(r));
      return;
    }
    const summary = await onData(flags, (s) => aggregateLocal(s, !!flags.json));
    out(flags, summary, () => printAggregate(summary));
  });

withData(program.command('errors').description('catalog rows the hub rejected (lic_data_error, brought back by exchange) that no later report answered yet'))
  .option('--all', 'also the resolved ones')
  .action(async (flags: Common & { all?: boolean }) => {
    const list = await onData(flags, (s) => s.frontErrors.list({ all: !!flags.all }));
    out(flags, list, () => printErrors(list));
  });

withData(program.command('rereport [ids...]').description("write certificates' current catalog rows to lic_data again (U, or D when abolished): answers the hub's errors"))
  .option('--errors', 'every certificate with an open error')
  .option('--all', 'every certificate of this node (a first load of the front DB)')
  .action(async (ids: string[], flags: Common & { errors?: boolean; all?: boolean }) => {
    if (!flags.errors && !flags.all && ids.length === 0) throw new Error('name certificate IDs, or --errors, or --all');
    const target = flags.all ? { all: true as const } : flags.errors ? { errors: true as const } : { ids };
    const o = await onData(flags, (s) => s.frontErrors.rereport(target));
    out(flags, o, () => printRereport(o));
  });

const certificates = program.command('certificates').description("the issuing organisations' lifecycle actions the node's operator takes (suspend, resume, abolish)");
const actor = (flags: { operator?: string }): AdminActor => ({ account: flags.operator || userInfo().username, via: 'cli' });
const showLifecycle = (r: AdminLifecycleResult) => [r.id, r.status, r.reason ?? ''].join('\t');
withData(certificates.command('suspend <id>').description('issued → suspended (暂时失效): every interface answers its suspended code until resumed'))
  .requiredOption('--reason <text>', 'why (recorded with the event)')
  .option('--operator <name>', 'who acts (default: the system user)')
  .action(async (id: string, flags: Common & { reason: string; operator?: string }) => {
    const r = await onData(flags, (s) => s.lifecycle.suspend(id, flags.reason, actor(flags)));
    out(flags, r, () => showLifecycle(r));
  });
withData(certificates.command('resume <id>').description('suspended → issued: usable again'))
  .option('--reason <text>', 'why (recorded with the event)')
  .option('--operator <name>', 'who acts (default: the system user)')
  .action(async (id: string, flags: Common & { reason?: string; operator?: string }) => {
    const r = await onData(flags, (s) => s.lifecycle.resume(id, flags.reason, actor(flags)));
    out(flags, r, () => showLifecycle(r));
  });
withData(certificates.command('abolish <id>').description('issued or suspended → abolished (废止), for good; the front DB gets its D row'))
  .requiredOption('--reason <text>', 'why (recorded with the event)')
  .option('--operator <name>', 'who acts (default: the system user)')
  .action(async (id: string, flags: Common & { reason: string; operator?: string }) => {
    const r = await onData(flags, (s) => s.lifecycle.abolish(id, flags.reason, actor(flags)));
    out(flags, r, () => showLifecycle(r));
  });

const nodes = program.command('nodes').description("the hub's registry of member nodes: provinces, cities and central departments it routes to");
const nodeLine = (n: MemberNodeListing & { keys?: { ok: boolean; keys?: number; error?: string } }) =>
  [n.dataSource, n.name, n.areaCodes.join(',') || '-', n.baseUrl, `${n.accountId} (${n.scheme})`, `calls as ${n.inboundAccount ?? '-'}`,
    n.services.length ? n.services.join(',') : 'all services', `circuit ${n.circuit}`,
    ...(n.keys ? [n.keys.ok ? `${n.keys.keys} key(s) read` : `keys not read: ${n.keys.error}`] : [])].join('\t');
withData(nodes.command('add').description('register a member node'))
  .requiredOption('--data-source <code>', 'its appendix H DataSource: 0xx a central department, 1 + two division digits a region (e.g. 151)')
  .requiredOption('--name <name>', 'e.g. 四川省电子证照共享服务系统')
  .option('--area <code...>', 'the GB/T 2260 division code(s) it answers for (required for a region)')
  .requiredOption('--url <url>', 'its base URL (its national interface is under /elssp/v1)')
  .requiredOption('--account <id>', 'the AccountId the hub calls it with (an account made on that node)')
  .option('--secret <secret>', 'that account\'s secret (hmac-sm3)')
  .addOption(new Option('--scheme <scheme>', 'that account\'s AccessToken scheme').choices(['hmac-sm3', 'appendix-c']).default('hmac-sm3'))
  .option('--inbound-account <id>', 'the account here it calls the hub with (made with accounts add)')
  .addOption(new Option('--service <name...>', 'only these national interfaces are offered (default: all)').choices(Object.values(NATIONAL_INTERFACE)))
  .action(async (flags: Common & { dataSource: string; name: string; area?: string[]; url: string; account: string; secret?: string; scheme: 'hmac-sm3' | 'appendix-c'; inboundAccount?: string; service?: string[] }) => {
    const input: NewMemberNode = {
      dataSource: flags.dataSource, name: flags.name, areaCodes: flags.area ?? [], baseUrl: flags.url, accountId: flags.account,
      scheme: flags.scheme, secret: flags.secret, inboundAccount: flags.inboundAccount, services: flags.service ?? [],
    };
    const n = await onData(flags, (s) => addMemberNode(s, input));
    out(flags, n, () => nodeLine(n));
  });
withData(nodes.command('list').description('list member nodes, with the state of each circuit in the running node'))
  .action(async (flags: Common) => {
    const list = await onData(flags, (s) => s.nodes.list());
    out(flags, list, () => list.map(nodeLine).join('\n') || '(none)');
  });
withData(nodes.command('remove <dataSource>').description('remove a member node: calls for its certificates then answer 2'))
  .action(async (dataSource: string, flags: Common) => {
    const r = await onData(flags, async (s) => {
      if (!(await removeMemberNode(s, dataSource))) throw new Error(`no node ${dataSource}`);
      return { removed: dataSource };
    });
    out(flags, r, () => `removed node ${r.removed}`);
  });

withData(program.command('sync-types').description("a province takes the hub's certificate types (F.3 GetCertificateType) into its catalog"))
  .action(async (flags: Common) => {
    const r = await onData(flags, (s) => {
      checkFederation(s.cfg);
      return syncTypes(s, (done, total) => { if (!flags.json && (done === total || done % 100 === 0)) process.stderr.write(`\rsync-types: ${done}/${total}`); });
    });
    if (!flags.json) process.stderr.write('\n');
    out(flags, r, () => [
      `${r.fetched} types from ${r.hub}: ${r.inserted.length} new, ${r.updated.length} updated, ${r.unchanged} unchanged, ${r.skipped.length} skipped`,
      ...r.skipped.map((x) => `skipped ${x.code}: ${x.reason}`),
    ].join('\n'));
  });

registerPeerCommands(program, { withData, onData, out });
registerYrdClientCommands(program);

const usage = program.command('usage').description('usage records (用证记录)');
withData(usage.command('list', { isDefault: true }).description('list usage records, newest first (the default)'))
  .option('--holder <code>', 'only uses of this holder')
  .option('--since <time>', 'only uses at or after this time (ISO 8601)')
  .option('--limit <n>', 'at most this many, newest first', '100')
  .action(async (flags: Common & { holder?: string; since?: string; limit: string }) => {
    const since = flags.since ? new Date(flags.since) : undefined;
    if (since && Number.isNaN(since.getTime())) throw new Error(`--since: not a time: ${flags.since}`);
    const filter = { holderCode: flags.holder, since, limit: Number(flags.limit) };
    const rows = await onData(flags, (s) => s.usage.list(filter));
    out(flags, rows, () => rows.map((r) => [r.at, r.dialect, r.interface, r.accountId ?? '-', r.resultCode, r.reason ?? '', r.certificateIds.join(' ')].join('\t')).join('\n') || '(none)');
  });

registerLogCommands(program, usage, { withData, onData, out });

program.parseAsync().catch((err: Error) => {
  console.error(`zhengzhao: ${err.message}`);
  process.exit(1);
});

export type { Config };
