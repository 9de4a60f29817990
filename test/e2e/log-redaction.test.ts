import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, makeBackend, postgresSkip, type Backend } from '../support/backends.js';
import { startNode, cli, type RunningNode } from '../support/node-process.js';

const pgSkip = await postgresSkip();

/** LOG_LEVEL=info logs every request: the credentials it carries must not be in it (issue 15). */
for (const name of BACKENDS) {
  describe(`the log at level info holds no credential (${name})`, async () => {
    const skip = name === 'postgres' ? pgSkip : false;
    let b: Backend;
    let node: RunningNode;
    let log = '';

    before(async () => {
      if (skip) return;
      b = await makeBackend(name);
      const app = JSON.parse(cli(b, ['apps', 'add', '--name', '日志测试']).stdout);
      assert.equal(cli(b, ['users', 'add', '--account', 'log_user', '--name', '张三', '--password', 'abc12345']).status, 0);
      node = await startNode(b, [], { LOG_LEVEL: 'info' });
      // At level info the first JSON line the test support reads is pino's, not the node's own: its
      // "Server listening at …" message names the address instead.
      if (!node.baseUrl) {
        const at = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(String(node.info.msg))?.[1];
        assert.ok(at, JSON.stringify(node.info));
        node = { ...node, baseUrl: at };
      }
      node.process.stdout!.on('data', (d) => { log += d; });
      node.process.stderr!.on('data', (d) => { log += d; });
      (node as any).app = app;
    });
    after(async () => {
      if (skip) return;
      await node.stop();
      await b.cleanup();
    });

    test('access_token, license_access_token and download tickets are redacted; the requests are still logged', { skip }, async () => {
      const { appKey, appSecret } = (node as any).app;
      const api = `${node.baseUrl}/beijing/api`;
      const login = await fetch(`${api}/security/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ app_key: appKey, app_secret: appSecret, account: 'log_user', password: 'abc12345' }),
      });
      const token = ((await login.json()) as any).access_token as string;
      assert.ok(token);
      const me = await fetch(`${api}/security/get_current_user?access_token=${encodeURIComponent(token)}&correlation_id=visible-42`);
      assert.equal(me.status, 200);
      const view = 'LicenseAccessTokenThatMustNotBeLogged0123';
      await fetch(`${node.baseUrl}/beijing/web/license/view_license?license_access_token=${view}`);
      const ticket = 'DownloadTicketThatMustNotBeLogged456789';
      await fetch(`${node.baseUrl}/files/${ticket}`);
      await fetch(`${api}/security/get_current_user?Access_Token=${view}x`);
      await new Promise((r) => setTimeout(r, 300));

      assert.match(log, /visible-42/, 'the request log is there');
      assert.match(log, /\[Redacted\]/);
      for (const secret of [token, view, ticket, appSecret, 'abc12345']) assert.ok(!log.includes(secret), `${secret.slice(0, 12)}… in the log`);
    });
  });
}
