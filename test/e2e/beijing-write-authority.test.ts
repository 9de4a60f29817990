import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { startNode, cli, type RunningNode } from '../support/node-process.js';
import { makeCitizenId, makeCreditCode } from '../../src/domain/holder-code.js';

const pgSkip = await postgresSkip();

/** A Chengdu marriage registry: its own item for the demo's 结婚证, its own operators and apps. */
const CHENGDU = { code: '510107MZ001', name: '婚姻登记', org: '成都市武侯区民政局', orgCode: makeCreditCode('1', '1', '510107', '00000301X') };
const HOLDER = makeCitizenId('510107', '19900312', 41);

/**
 * Who may change a certificate (seed 002 5.4.2.1.1 c), tried on a demo node as an attacker would:
 * the demo's operator bj_demo with its item 110105MZ001 against a certificate a Chengdu
 * organisation issued, and a second Chengdu app against the first one's draft.
 */
for (const name of BACKENDS) {
  describe(`Beijing writes: only the issuer, the maker app, within the division (${name})`, async () => {
    const skip = name === 'postgres' ? pgSkip : false;
    let b: Backend;
    let node: RunningNode;
    let api: string;
    let type: string;
    let demo: { appKey: string; token: string; item: { service_item_code: string; service_item_name: string } };
    let chengdu: string;
    let chengduOther: string;
    let chengduSeal: string;

    const login = async (app: { appKey: string; appSecret: string }, account: string, password: string) => {
      const res = await fetch(`${api}/security/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ app_key: app.appKey, app_secret: app.appSecret, account, password }),
      });
      const token = ((await res.json()) as any).access_token as string;
      assert.ok(token, account);
      return token;
    };
    const post = async (token: string, verb: string, body: Record<string, unknown>) => {
      const res = await fetch(`${api}/license/${type}/${verb}?access_token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { http: res.status, json: (await res.json()) as any };
    };
    const asChengdu = { service_item_code: CHENGDU.code, service_item_name: CHENGDU.name, operator: { account: 'cd_clerk', name: '王五', division_code: '510107' } };
    const fields = (number: string, over: Record<string, string> = {}) => ({ CZR: '刘一', CYRSFZJHM: HOLDER, JHZZH: number, POXM: '陈二', ...over });
    const make = async (token: string, number: string) => {
      const r = await post(token, 'create', { data: { ...asChengdu, seal_code: chengduSeal }, data_fields: fields(number) });
      assert.equal(r.json.ack_code, 'SUCCESS', JSON.stringify(r.json));
      return r.json.data.license_code as string;
    };
    const issue = async (number: string) => {
      const id = await make(chengdu, number);
      const s = await post(chengdu, 'sign', { data: { ...asChengdu, license_code: id } });
      assert.equal(s.json.ack_code, 'SUCCESS', JSON.stringify(s.json));
      return id;
    };

    before(async () => {
      if (skip) return;
      b = await makeBackend(name);
      node = await startNode(b, ['--demo']);
      api = `${node.baseUrl}/beijing/api`;
      const creds = JSON.parse(readFileSync(join(b.dataDir, 'demo-credentials.json'), 'utf8')).beijing;
      type = creds.serviceItem.licenseItemCode;
      demo = {
        appKey: creds.appKey, token: await login(creds, creds.account, creds.password),
        item: { service_item_code: creds.serviceItem.code, service_item_name: creds.serviceItem.name },
      };
      for (const args of [
        ['items', 'add', '--code', CHENGDU.code, '--name', CHENGDU.name, '--org-name', CHENGDU.org, '--org-code', CHENGDU.orgCode, '--area-code', '510107', '--type', type],
        ['users', 'add', '--account', 'cd_clerk', '--name', '王五', '--password', 'abc12345', '--division-code', '510107'],
      ]) {
        const r = cli(b, args);
        assert.equal(r.status, 0, r.stderr);
      }
      chengduSeal = JSON.parse(cli(b, ['seals', 'add', '--org-code', CHENGDU.orgCode, '--org-name', CHENGDU.org, '--json']).stdout).esId;
      const first = JSON.parse(cli(b, ['apps', 'add', '--name', '武侯区婚姻登记系统']).stdout);
      const second = JSON.parse(cli(b, ['apps', 'add', '--name', '另一业务系统']).stdout);
      chengdu = await login(first, 'cd_clerk', 'abc12345');
      chengduOther = await login(second, 'cd_clerk', 'abc12345');
    });
    after(async () => {
      if (skip) return;
      await node.stop();
      await b.cleanup();
    });

    test("bj_demo (item 110105MZ001) may not abolish, change or sign a Chengdu organisation's certificate", { skip }, async () => {
      const id = await issue('CD-2026-000001');
      const asDemo = { ...demo.item, operator: { account: 'bj_demo', name: '张三' } };
      const abolish = await post(demo.token, 'abolish', { data: { ...asDemo, license_code: id } });
      assert.equal(abolish.http, 403, JSON.stringify(abolish.json));
      assert.equal(abolish.json.ack_code, 'FAILURE');
      assert.equal(abolish.json.errors[0].code, 'LICENSE_NOT_ISSUER');
      assert.match(abolish.json.errors[0].message, new RegExp(CHENGDU.orgCode));
      const change = await post(demo.token, 'change', { data: { ...asDemo, license_code: id }, data_fields: fields('CD-2026-000001', { CZR: '改名' }) });
      assert.equal(change.json.errors[0].code, 'LICENSE_NOT_ISSUER', JSON.stringify(change.json));

      // Through the Chengdu item, bj_demo (division 110105) is outside its division.
      const viaChengduItem = await post(demo.token, 'abolish', { data: { ...asChengdu, operator: { account: 'bj_demo', name: '张三' }, license_code: id } });
      assert.equal(viaChengduItem.http, 403);
      assert.equal(viaChengduItem.json.errors[0].code, 'OUTSIDE_DIVISION', JSON.stringify(viaChengduItem.json));

      // Nothing changed: the issuer still abolishes it, once.
      const mine = await post(chengdu, 'abolish', { data: { ...asChengdu, license_code: id, reason: '当事人申请' } });
      assert.equal(mine.json.ack_code, 'SUCCESS', JSON.stringify(mine.json));
      assert.equal((await post(chengdu, 'abolish', { data: { ...asChengdu, license_code: id } })).json.errors[0].code, 'LICENSE_NOT_ISSUED');

      // Every refusal is in the usage log, with the app it came through and the certificate it aimed at.
      const usage = JSON.parse(cli(b, ['usage', '--json', '--limit', '50']).stdout) as any[];
      const refused = usage.filter((u) => u.dialect === 'beijing' && u.certificateIds.includes(id)).map((u) => [u.interface, u.resultCode, u.accountId]);
      assert.deepEqual(refused.sort(), [['abolish', 'not-issuer', demo.appKey], ['change', 'not-issuer', demo.appKey]].sort());
      assert.ok(usage.some((u) => u.dialect === 'beijing' && u.interface === 'abolish' && u.resultCode === 'outside-division' && u.accountId === demo.appKey));
    });

    test("another app may not update, sign or delete a draft it did not make; the maker still can", { skip }, async () => {
      const draft = await make(chengdu, 'CD-2026-000002');
      for (const verb of ['update', 'sign', 'delete']) {
        const r = await post(chengduOther, verb, { data: { ...asChengdu, license_code: draft }, data_fields: fields('CD-2026-000002', { CZR: '冒名' }) });
        assert.equal(r.http, 403, verb);
        assert.equal(r.json.errors[0].code, 'LICENSE_DRAFT_NOT_YOURS', `${verb}: ${JSON.stringify(r.json)}`);
      }
      const batch = await post(chengduOther, 'batch_sign', { data: { ...asChengdu, license_codes: [draft] } });
      assert.equal(batch.json.ack_code, 'SUCCESS', JSON.stringify(batch.json));
      assert.deepEqual(batch.json.data.result.map((r: any) => r.result_code), ['signFail']);
      assert.match(batch.json.data.result[0].result_msg, /创建它的机构和业务系统/);
      // By division, the other app's batch finds none of the first app's drafts: an empty batch (signs nothing, refuses nothing).
      const byDivision = await post(chengduOther, 'batch_sign', { data: { ...asChengdu, division_code: '510107' } });
      assert.equal(byDivision.json.ack_code, 'SUCCESS', JSON.stringify(byDivision.json));
      assert.deepEqual(byDivision.json.data.result, []);
      // The Beijing app, of another organisation, neither.
      const demoDelete = await post(demo.token, 'delete', { data: { ...demo.item, operator: { account: 'bj_demo', name: '张三' }, license_code: draft } });
      assert.equal(demoDelete.json.errors[0].code, 'LICENSE_NOT_ISSUER');

      // The maker updates and signs it, with the data it gave.
      const upd = await post(chengdu, 'update', { data: { ...asChengdu, license_code: draft }, data_fields: fields('CD-2026-000002', { CZR: '刘一一' }) });
      assert.equal(upd.json.ack_code, 'SUCCESS', JSON.stringify(upd.json));
      const signed = await post(chengdu, 'batch_sign', { data: { ...asChengdu, license_codes: [draft] } });
      assert.deepEqual(signed.json.data.result.map((r: any) => r.result_code), ['signSuccess'], JSON.stringify(signed.json));
      // An issued certificate belongs to its organisation: another app of it may change it.
      const changed = await post(chengduOther, 'change', { data: { ...asChengdu, license_code: draft }, data_fields: fields('CD-2026-000002', { CZR: '刘一二' }) });
      assert.equal(changed.json.ack_code, 'SUCCESS', JSON.stringify(changed.json));

      const usage = JSON.parse(cli(b, ['usage', '--json', '--limit', '50']).stdout) as any[];
      const refused = usage.filter((u) => u.certificateIds.includes(draft) && u.resultCode === 'not-maker').map((u) => u.interface).sort();
      assert.deepEqual(refused, ['batch_sign', 'delete', 'sign', 'update'], 'the batch refusal too');
    });
  });
}
