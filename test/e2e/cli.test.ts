import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { cli } from '../support/node-process.js';
import { fixtureLines, FIXTURE } from './national-fixture.js';
import { hmacSm3, sm3Hex } from '../../src/crypto/sm3.js';
import type { SealSummary } from '../../src/core/seals.js';

// Probed once, before any suite runs: a suite's synchronous child processes would stall the probe.
const pgSkip = await postgresSkip();

for (const name of BACKENDS) {
  describe(`command line without a running node (${name})`, async () => {
    const skip = name === 'postgres' ? pgSkip : false;
    let b: Backend;
    before(async () => { if (!skip) b = await makeBackend(name); });
    after(async () => { if (!skip) await b.cleanup(); });

    test('accounts add prints the secret once; list never shows it', { skip }, () => {
      const added = cli(b, ['accounts', 'add', '--id', 'sys1', '--name', '业务系统']);
      assert.equal(added.status, 0, added.stderr);
      const created = JSON.parse(added.stdout);
      assert.equal(created.id, 'sys1');
      assert.match(created.secret, /^[A-Za-z0-9_-]{32}$/);
      assert.match(added.stderr, /generated data keys/, 'a new data directory warns that production should configure keys');
      const list = cli(b, ['accounts', 'list', '--json']);
      assert.deepEqual(JSON.parse(list.stdout), [{ id: 'sys1', name: '业务系统', scheme: 'hmac-sm3', allowedIps: [], disabled: false }]);
      assert.ok(!list.stdout.includes(created.secret));
      const dup = cli(b, ['accounts', 'add', '--id', 'sys1', '--name', 'again']);
      assert.equal(dup.status, 1);
      assert.match(dup.stderr, /already exists/);
      const open = cli(b, ['accounts', 'add', '--id', 'c1', '--name', 'x', '--scheme', 'appendix-c']);
      assert.equal(open.status, 1);
      assert.match(open.stderr, /must list the addresses/);
      const badIp = cli(b, ['accounts', 'add', '--id', 'c2', '--name', 'x', '--ip', '300.1.1.1']);
      assert.equal(badIp.status, 1);
    });

    test('types add, list, publish and withdraw, with their rules', { skip }, () => {
      const add = cli(b, ['types', 'add', '--code', '111000000000131433001', '--name', '结婚证', '--authority', '中华人民共和国民政部',
        '--holder-category', '自然人', '--validity', '长期', '--field', 'KZ_CZR:持证人:required', '--field', 'KZ_ZP:照片:picture:sensitive', '--draft', '--json']);
      assert.equal(add.status, 0, add.stderr);
      const t = JSON.parse(add.stdout);
      assert.equal(t.status, 'draft');
      assert.deepEqual(t.fields[1], { columnName: 'KZ_ZP', name: '照片', valueType: 'picture', required: false, sensitive: true });
      assert.equal(cli(b, ['types', 'list', '--status', 'published', '--json']).stdout.trim(), '[]');
      assert.match(cli(b, ['types', 'publish', '111000000000131433001']).stdout, /published\t结婚证/);
      assert.match(cli(b, ['types', 'withdraw', '111000000000131433001']).stdout, /withdrawn/);
      const again = cli(b, ['types', 'withdraw', '111000000000131433001']);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /a withdrawn type cannot become withdrawn/);
      const badCode = cli(b, ['types', 'add', '--code', '111000000000131434001', '--name', 'x']);
      assert.match(badCode.stderr, /unified social credit code/);
      const badField = cli(b, ['types', 'add', '--code', '111000000000131433009', '--name', 'x', '--field', 'KZ:名:bold']);
      assert.match(badField.stderr, /unknown flag bold/);
      const dup = cli(b, ['types', 'add', '--code', '111000000000131433001', '--name', '结婚证']);
      assert.match(dup.stderr, /already exists/);
      assert.match(cli(b, ['types', 'publish', '111000000000131433001']).stdout, /published/);

      // The layout template of its files: set from a JSON file, refused when it names no such field, cleared.
      const file = join(b.dataDir, 'layout.json');
      writeFileSync(file, JSON.stringify({ title: '中华人民共和国结婚证', fields: [{ column: 'KZ_CZR', label: '姓名' }], footer: ['{issuer}'] }));
      const set = cli(b, ['types', 'layout', '111000000000131433001', '--file', file, '--json']);
      assert.equal(set.status, 0, set.stderr);
      assert.deepEqual(JSON.parse(set.stdout).layout.fields, [{ column: 'KZ_CZR', label: '姓名' }]);
      writeFileSync(file, JSON.stringify({ fields: [{ column: 'NOPE' }] }));
      const refused = cli(b, ['types', 'layout', '111000000000131433001', '--file', file]);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /fields\[0\]\.column: one of the type's fields \(KZ_CZR, KZ_ZP\)/);
      assert.match(cli(b, ['types', 'layout', '111000000000131433001', '--clear']).stdout, /default layout/);
    });

    test('seals add makes a verifiable GB/T 38540 seal; list shows it; bad input is refused', { skip }, () => {
      const added = cli(b, ['seals', 'add', '--org-code', '1111010500000101X6', '--org-name', '北京市朝阳区民政局', '--valid-years', '3']);
      assert.equal(added.status, 0, added.stderr);
      assert.match(added.stdout, /^created seal 1111010500000101X60001 for 北京市朝阳区民政局 \(1111010500000101X6\), valid \S+ to \S+, made by node key sm2-/);
      const list = JSON.parse(cli(b, ['seals', 'list', '--json']).stdout) as SealSummary[];
      assert.equal(list.length, 1);
      assert.equal(list[0]!.esId, '1111010500000101X60001');
      assert.equal(new Date(list[0]!.validTo).getUTCFullYear() - new Date(list[0]!.validFrom).getUTCFullYear(), 3);
      assert.match(cli(b, ['seals', 'list']).stdout, /1111010500000101X60001\t1111010500000101X6\t北京市朝阳区民政局\t\d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d/);
      const second = cli(b, ['seals', 'add', '--org-code', '1111010500000101X6', '--org-name', '北京市朝阳区民政局', '--json']);
      assert.equal(JSON.parse(second.stdout).esId, '1111010500000101X60002', 'a new seal supersedes the old one');
      const bad = cli(b, ['seals', 'add', '--org-code', '1111010500000101X7', '--org-name', 'x']);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /unified social credit code/);
      const long = cli(b, ['seals', 'add', '--org-code', '1111010500000101X6', '--org-name', 'x', '--valid-years', '30']);
      assert.equal(long.status, 1);
      assert.match(long.stderr, /outlive the node certificate/);
    });

    test('registrations list, approve and reject: nothing to decide until a system registers', { skip }, () => {
      const list = cli(b, ['registrations', 'list', '--json']);
      assert.equal(list.status, 0, list.stderr);
      assert.deepEqual(JSON.parse(list.stdout), []);
      assert.equal(cli(b, ['registrations', 'list']).stdout.trim(), '(none)');
      const approve = cli(b, ['registrations', 'approve', 'REG0123456789ABCDEF']);
      assert.equal(approve.status, 1);
      assert.match(approve.stderr, /no registration REG0123456789ABCDEF/);
      const bad = cli(b, ['registrations', 'list', '--status', 'maybe']);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /Allowed choices are pending, approved, rejected/);
    });

    test('oauth-clients and oauth-users: secrets and passwords printed once when generated, roles by either name', { skip }, () => {
      const client = cli(b, ['oauth-clients', 'add', '--id', 'zz-oauth', '--name', '业务系统']);
      assert.equal(client.status, 0, client.stderr);
      const c = JSON.parse(client.stdout);
      assert.deepEqual({ ...c, clientSecret: undefined }, { clientId: 'zz-oauth', name: '业务系统', scopes: ['read', 'write'], clientSecret: undefined });
      assert.match(c.clientSecret, /^[A-Za-z0-9_-]{32}$/);
      const fixed = cli(b, ['oauth-clients', 'add', '--id', 'xxxx-oauth', '--name', '4.3.1', '--secret', 'xxxx-mobile', '--scope', 'read']);
      assert.deepEqual(JSON.parse(fixed.stdout), { clientId: 'xxxx-oauth', name: '4.3.1', scopes: ['read'] }, 'a secret given is not echoed');
      assert.match(cli(b, ['oauth-clients', 'add', '--id', 'zz-oauth', '--name', 'x']).stderr, /already exists/);
      assert.deepEqual(JSON.parse(cli(b, ['oauth-clients', 'list', '--json']).stdout).map((x: { clientId: string }) => x.clientId), ['xxxx-oauth', 'zz-oauth']);
      const user = cli(b, ['oauth-users', 'add', '--username', 'rsj', '--name', '市人社局', '--role', '下载证照', 'info', '--dept-name', '枣庄市人社局']);
      assert.equal(user.status, 0, user.stderr);
      const u = JSON.parse(user.stdout);
      assert.deepEqual({ ...u, password: undefined }, { username: 'rsj', name: '市人社局', roles: ['download', 'info'], deptName: '枣庄市人社局', password: undefined });
      assert.match(u.password, /^[A-Za-z0-9_-]{16}$/);
      const badRole = cli(b, ['oauth-users', 'add', '--username', 'x', '--name', 'x', '--role', 'admin']);
      assert.equal(badRole.status, 1);
      assert.match(badRole.stderr, /--role: admin is not one of retrieve, download, info, view \(or 检索证照, 下载证照, 获取信息, 查看证照\)/);
      assert.match(cli(b, ['oauth-users', 'add', '--username', 'y', '--name', 'y', '--role', 'view', '--password', 'short']).stderr, /at least 8 characters/);
      assert.equal(cli(b, ['oauth-users', 'list']).stdout.trim(), 'rsj\tdownload,info\t市人社局');
      assert.equal(cli(b, ['oauth-users', 'revoke', 'rsj']).stdout.trim(), 'rsj: 0 token(s) revoked');
      assert.match(cli(b, ['oauth-users', 'revoke', 'nobody']).stderr, /no user nobody/);
    });

    test('token computes the appendix C token exactly, and never guesses the scheme of an account without its secret', { skip }, () => {
      const r = cli(undefined, ['token', '--id', 'ZJ1001', '--appendix-c', '--date', '20181009']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), sm3Hex('ZJ100120181009'));
      const hmac = cli(undefined, ['token', '--id', 'demo', '--secret', 'k', '--date', '20181009']);
      assert.equal(hmac.stdout.trim(), hmacSm3(Buffer.from('k'), 'demo20181009').toString('hex'));
      for (const args of [['token', '--id', 'demo'], ['token', '--id', 'demo', '--secret', '']]) {
        const refused = cli(undefined, args);
        assert.equal(refused.status, 1, args.join(' '));
        assert.equal(refused.stdout, '');
        assert.match(refused.stderr, /account demo: (give its secret|--secret is empty)/);
      }
      const missing = cli(undefined, ['token', '--id', 'demo', '--from-credentials', join(tmpdir(), 'no-such-dir', 'demo-credentials.json')]);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /does not exist: run `npm start` first/);
    });

    test('--version prints the package version', { skip }, () => {
      const r = cli(undefined, ['--version']);
      assert.equal(r.status, 0);
      assert.equal(r.stdout.trim(), JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
    });

    test('apps list and users list show what was added, never a secret', { skip }, () => {
      assert.deepEqual(JSON.parse(cli(b, ['apps', 'list', '--json']).stdout), []);
      const app = JSON.parse(cli(b, ['apps', 'add', '--name', '办件系统']).stdout) as { appKey: string; appSecret: string };
      const apps = cli(b, ['apps', 'list']);
      assert.equal(apps.status, 0, apps.stderr);
      assert.match(apps.stdout.trim(), new RegExp(`^${app.appKey}\t\\d{4}-\\d\\d-\\d\\dT[^\t]+\t办件系统$`));
      assert.ok(!apps.stdout.includes(app.appSecret));
      assert.equal(cli(b, ['users', 'add', '--account', 'op1', '--name', '王五', '--password', 'secret-pass', '--role', '科员']).status, 0);
      const users = cli(b, ['users', 'list']);
      assert.equal(users.status, 0, users.stderr);
      assert.equal(users.stdout.trim(), 'op1\t王五\t科员');
      assert.deepEqual(JSON.parse(cli(b, ['users', 'list', '--json']).stdout).map((o: { account: string }) => o.account), ['op1']);
      assert.ok(!users.stdout.includes('secret-pass'));
    });

    test('import reports rejected lines and is idempotent; usage lists nothing yet', { skip }, () => {
      const file = join(mkdtempSync(join(tmpdir(), 'zz-cli-')), 'in.ndjson');
      writeFileSync(file, fixtureLines().join('\n') + '\n');
      const first = cli(b, ['import', file]);
      // Any rejected line fails the command, with a summary; the valid lines are written all the same.
      assert.equal(first.status, 1, first.stderr);
      assert.match(first.stdout, new RegExp(`${FIXTURE.valid} new, 0 already present, ${FIXTURE.invalid} rejected`));
      assert.match(first.stderr, /line 8: not valid JSON/);
      assert.match(first.stderr, new RegExp(`${FIXTURE.invalid} of ${FIXTURE.valid + FIXTURE.invalid} lines rejected \\(lines 7, 8, 9\\)`));
      const second = JSON.parse(cli(b, ['import', file, '--json']).stdout);
      assert.deepEqual([second.inserted, second.existing, second.rejected], [0, FIXTURE.valid, FIXTURE.invalid]);
      const usage = cli(b, ['usage', '--json']);
      assert.deepEqual(JSON.parse(usage.stdout), []);
      const bad = cli(b, ['usage', '--since', 'yesterday']);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /not a time/);
    });
  });
}
