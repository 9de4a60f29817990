import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { startNode, cli, type RunningNode } from '../support/node-process.js';

const pgSkip = await postgresSkip();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/;

for (const name of BACKENDS) {
  describe(`Beijing security session and catalog over HTTP (${name})`, async () => {
    const skip = name === 'postgres' ? pgSkip : false;
    let b: Backend;
    let node: RunningNode;
    let api: string;
    let app: { appKey: string; appSecret: string };
    const login = async (over: Record<string, unknown> = {}) => {
      const res = await fetch(`${api}/security/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ app_key: app.appKey, app_secret: app.appSecret, account: 'test_bj_wht', password: 'abc12345', ...over }),
      });
      return { http: res.status, json: (await res.json()) as any };
    };
    const get = async (path: string) => {
      const res = await fetch(`${api}${path}`);
      return { http: res.status, json: (await res.json()) as any };
    };

    before(async () => {
      if (skip) return;
      b = await makeBackend(name);
      node = await startNode(b, [], { ZHENGZHAO_SESSION_IDLE: '3', ZHENGZHAO_LOCK_AFTER: '3' });
      api = `${node.baseUrl}/beijing/api`;
      const a = cli(b, ['apps', 'add', '--name', '婚姻登记系统']);
      assert.equal(a.status, 0, a.stderr);
      app = JSON.parse(a.stdout);
      const u = cli(b, ['users', 'add', '--account', 'test_bj_wht', '--name', '北京市管理员', '--password', 'abc12345', '--identity-num', '110105194912310021',
        '--role', '市XX局XX处室科员', '--service-org', '123456789', '--division', '北京市', '--division-code', '110105']);
      assert.equal(u.status, 0, u.stderr);
      for (const [code, nameOf, extra] of [['111000000000131433001', '结婚证', []], ['111000000000131433002', '离婚证', ['--draft']], ['11100000000019713D001', '机动车驾驶证', ['--authority', '公安部']]] as const) {
        const t = cli(b, ['types', 'add', '--code', code, '--name', nameOf, ...extra]);
        assert.equal(t.status, 0, t.stderr);
      }
    });
    after(async () => {
      if (skip) return;
      await node.stop();
      await b.cleanup();
    });

    test('login (B.1), current user (B.3) and logout (B.2)', { skip }, async () => {
      const r = await login();
      assert.equal(r.http, 200);
      assert.equal(r.json.ack_code, 'SUCCESS');
      assert.deepEqual(r.json.errors, []);
      assert.match(r.json.response_id, UUID);
      assert.match(r.json.timestamp, TIMESTAMP);
      assert.match(r.json.access_token, /^[A-Za-z0-9_-]{43}$/);
      const token = r.json.access_token;
      const me = await get(`/security/get_current_user?access_token=${token}&correlation_id=abc-1`);
      assert.equal(me.json.ack_code, 'SUCCESS');
      assert.equal(me.json.correlation_id, 'abc-1');
      assert.deepEqual(Object.keys(me.json.data).sort(), ['account', 'creation_time', 'creator', 'division', 'division_code', 'identity_num',
        'last_modification_time', 'last_modificator', 'name', 'role', 'service_org']);
      assert.equal(me.json.data.account, 'test_bj_wht');
      assert.equal(me.json.data.name, '北京市管理员');
      assert.equal(me.json.data.division_code, '110105');
      const out = await fetch(`${api}/security/logout?access_token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(((await out.json()) as any).ack_code, 'SUCCESS');
      const after = await get(`/security/get_current_user?access_token=${token}`);
      assert.equal(after.http, 401);
      assert.equal(after.json.ack_code, 'FAILURE');
      assert.deepEqual(after.json.errors, [{ code: 'INVALID_ACCESS_TOKEN', message: '访问令牌无效或会话已注销' }]);
    });

    test('license_item/list (C.1): published by default, keyword, statuses, paging and its limits', { skip }, async () => {
      const token = (await login()).json.access_token;
      let r = await get(`/license_item/list?access_token=${token}&status=PUBLISH&is_open=true`);
      assert.equal(r.json.ack_code, 'SUCCESS');
      assert.deepEqual(r.json.data.map((x: any) => x.license_item_code), ['111000000000131433001', '11100000000019713D001']);
      assert.equal(r.json.data[0].license_item_name, '结婚证');
      assert.equal(r.json.data[0].status, 'PUBLISH');
      r = await get(`/license_item/list?access_token=${token}&keyword=公安部`);
      assert.deepEqual(r.json.data.map((x: any) => x.license_item_name), ['机动车驾驶证']);
      r = await get(`/license_item/list?access_token=${token}&status=DRAFT,PUBLISH&page_size=2&page_index=2`);
      assert.equal(r.json.total_count, 3);
      assert.equal(r.json.data.length, 1);
      r = await get(`/license_item/list?access_token=${token}&page_size=151`);
      assert.equal(r.http, 400);
      assert.equal(r.json.errors[0].code, 'INVALID_ARGUMENT');
      assert.match(r.json.errors[0].message, /page_size 取值范围 1-150/);
      r = await get(`/license_item/list?access_token=${token}&status=GONE`);
      assert.equal(r.json.errors[0].code, 'INVALID_ARGUMENT');
      r = await get(`/license_item/list?access_token=forged-token`);
      assert.equal(r.json.errors[0].code, 'INVALID_ACCESS_TOKEN');
    });

    test('an idle session ends after the configured timeout', { skip }, async () => {
      const token = (await login()).json.access_token;
      assert.equal((await get(`/security/get_current_user?access_token=${token}`)).json.ack_code, 'SUCCESS');
      await new Promise((r) => setTimeout(r, 4000));
      const r = await get(`/security/get_current_user?access_token=${token}`);
      assert.deepEqual(r.json.errors, [{ code: 'SESSION_TIMEOUT', message: '会话空闲超时，请重新登录' }]);
      assert.equal((await get(`/security/get_current_user?access_token=${token}`)).json.errors[0].code, 'INVALID_ACCESS_TOKEN', 'and stays ended');
    });

    test('bad app, bad password, lockout and malformed requests', { skip }, async () => {
      assert.equal((await login({ app_secret: 'wrong' })).json.errors[0].code, 'INVALID_APP');
      assert.equal((await login({ account: 'nobody' })).json.errors[0].code, 'AUTHENTICATION_FAILED');
      const missing = await login({ password: undefined });
      assert.equal(missing.http, 400);
      assert.match(missing.json.errors[0].message, /password 必填/);
      const u = cli(b, ['users', 'add', '--account', 'victim', '--name', '李四', '--password', 'right-password']);
      assert.equal(u.status, 0, u.stderr);
      for (let i = 0; i < 3; i++) assert.equal((await login({ account: 'victim', password: 'wrong-password' })).json.errors[0].code, 'AUTHENTICATION_FAILED');
      const locked = await login({ account: 'victim', password: 'right-password' });
      assert.deepEqual(locked.json.errors, [{ code: 'ACCOUNT_LOCKED', message: '密码错误次数过多，账户已临时锁定' }]);
      const bad = await fetch(`${api}/security/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"app_key":' });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as any).errors[0].code, 'INVALID_ARGUMENT');
      // Table 1's org_code ("以指定的部门管理员身份登录"): no operator here is a department administrator, so it is refused, not ignored.
      const asDepartment = await login({ org_code: '11110105000000000X' });
      assert.equal(asDepartment.http, 403);
      assert.equal(asDepartment.json.errors[0].code, 'DEPARTMENT_ADMIN_LOGIN_REFUSED');
      assert.equal(asDepartment.json.access_token, undefined);
      assert.equal((await login({ org_code: '' })).json.ack_code, 'SUCCESS');
      const nowhere = await get('/no/such/interface');
      assert.equal(nowhere.http, 404);
      assert.equal(nowhere.json.errors[0].code, 'NOT_FOUND');
    });
  });
}
