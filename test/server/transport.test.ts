import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { request } from 'node:https';
import { makeBackend, type Backend } from '../support/backends.js';
import { startNode, cli, type RunningNode } from '../support/node-process.js';
import { sm3Hex } from '../../src/crypto/sm3.js';
import { cstCompactDate } from '../../src/domain/dates.js';

/** A self-signed certificate for 127.0.0.1 made with the openssl command line, of the given key algorithm. */
function makeCertificate(dir: string, name: string, keyArgs: string[]): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const r = spawnSync('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { cert, key };
}

/** Through the TLS connection, as `from` (a loopback address), with headers; the JSON answer. */
function post(base: string, ca: Buffer, path: string, body: string, headers: Record<string, string>, from = '127.0.0.1'): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', ca, localAddress: from, headers }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('transport: HTTPS with the node\'s certificate, and X-Forwarded-For only from trusted proxies', () => {
  let b: Backend;
  let node: RunningNode;
  let dir: string;
  let tls: { cert: string; key: string };
  let ca: Buffer;
  const PROXY = '127.0.0.9';
  const sichuan = { accountId: '', accessToken: '' };

  const national = (account: string, from: string, forwardedFor?: string) => post(node.baseUrl, ca, '/elssp/v1/Retrieval',
    new URLSearchParams({ AccountId: account, AccessToken: sm3Hex(account + cstCompactDate(new Date())), CertificateHolderCode: '110101199003071233', CertificateHolderType: '111', UseFor: '办理' }).toString(),
    { 'content-type': 'application/x-www-form-urlencoded', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) }, from);
  const sichuanCall = (from: string, forwardedFor?: string) => post(node.baseUrl, ca, '/sichuan/v1/Retrieval',
    JSON.stringify({ head: sichuan, data: { certificateHolderCode: '110101199003071233', useFor: '01' } }),
    { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) }, from);

  before(async () => {
    b = await makeBackend('postgres');
    dir = mkdtempSync(join(tmpdir(), 'zz-tls-'));
    tls = makeCertificate(dir, 'ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    ca = readFileSync(tls.cert);
    // The certificate by environment, the proxy by flag.
    node = await startNode(b, ['--trust-proxy', `${PROXY}/32`], { ZHENGZHAO_TLS_CERT: tls.cert, ZHENGZHAO_TLS_KEY: tls.key });
    for (const [id, ip] of [['ZJ1001', '127.0.0.1/32'], ['FAR', '10.255.255.1/32']]) {
      const r = cli(b, ['accounts', 'add', '--id', id!, '--name', id!, '--scheme', 'appendix-c', '--ip', ip!]);
      assert.equal(r.status, 0, r.stderr);
    }
    const reg = await post(node.baseUrl, ca, '/sichuan/v1/Register', JSON.stringify({ systemName: '成都市政务服务系统', systemIp: '127.0.0.1', deptCode: '11510100MB1234567X', deptName: '成都市政务服务管理和网络理政办公室' }), { 'content-type': 'application/json' });
    Object.assign(sichuan, { accountId: reg.json.accountId, accessToken: reg.json.accessToken });
    assert.equal(cli(b, ['registrations', 'approve', sichuan.accountId]).status, 0);
  });
  after(async () => {
    await node?.stop();
    await b?.cleanup();
  });

  test('curl reaches the node over HTTPS, trusting only the node\'s own certificate', () => {
    assert.match(node.baseUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    const ok = spawnSync('curl', ['-sS', '--cacert', tls.cert, `${node.baseUrl}/healthz`], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { ok: true });
    const form = spawnSync('curl', ['-sS', '--cacert', tls.cert, `${node.baseUrl}/elssp/v1/Retrieval`, '--data-urlencode', 'AccountId=ZJ1001',
      '--data-urlencode', `AccessToken=${sm3Hex(`ZJ1001${cstCompactDate(new Date())}`)}`, '--data-urlencode', 'CertificateHolderCode=110101199003071233',
      '--data-urlencode', 'CertificateHolderType=111', '--data-urlencode', 'UseFor=办理'], { encoding: 'utf8' });
    assert.equal(form.status, 0, form.stderr);
    assert.deepEqual(JSON.parse(form.stdout).head, { status: '10', message: '未找到匹配的证照信息' });
    // Without the certificate curl refuses the connection; plain HTTP is not served.
    assert.equal(spawnSync('curl', ['-sS', `${node.baseUrl}/healthz`], { encoding: 'utf8' }).status, 60);
    assert.notEqual(spawnSync('curl', ['-sS', node.baseUrl.replace('https:', 'http:') + '/healthz'], { encoding: 'utf8' }).stdout, '{"ok":true}');
  });

  test('an SM2 certificate is served where OpenSSL allows it, otherwise refused at start saying so', async () => {
    const sm2 = makeCertificate(dir, 'sm2', ['-newkey', 'sm2', '-sm3']);
    const other = await makeBackend('postgres');
    try {
      const started = await startNode(other, ['--tls-cert', sm2.cert, '--tls-key', sm2.key]).then((n) => n, (err: Error) => err);
      if (started instanceof Error) {
        assert.match(started.message, /\(sm2 key\).*This OpenSSL build cannot serve an SM2 certificate over TLS: use an RSA or ECDSA certificate/s);
      } else {
        const r = spawnSync('curl', ['-sS', '--cacert', sm2.cert, `${started.baseUrl}/healthz`], { encoding: 'utf8' });
        await started.stop();
        assert.equal(r.stdout, '{"ok":true}', r.stderr);
      }
    } finally {
      await other.cleanup();
    }
  });

  test('a spoofed X-Forwarded-For from an address that is no trusted proxy changes nothing for the allow-lists', async () => {
    // ZJ1001 calls from loopback only: a header naming another client from 127.0.0.1 does not shut it out…
    assert.equal((await national('ZJ1001', '127.0.0.1', '10.255.255.1')).json.head.status, '10');
    // …and FAR (10.255.255.1 only) is not let in by naming its address from elsewhere.
    assert.deepEqual((await national('FAR', '127.0.0.2', '10.255.255.1')).json.head.status, '11');
    assert.equal((await sichuanCall('127.0.0.1', '127.0.0.2')).json.head.status, '10');
    assert.deepEqual((await sichuanCall('127.0.0.2', '127.0.0.1')).json.head,
      { status: '11', message: '身份验证失败: this account calls only from its registered address (systemIp)' });
  });

  test('from a trusted proxy the forwarded client is the one the allow-lists see', async () => {
    assert.equal((await national('FAR', PROXY, '10.255.255.1')).json.head.status, '10');
    assert.equal((await national('ZJ1001', PROXY, '10.255.255.1')).json.head.status, '11');
    // A chain: the client is the nearest address that is not a trusted proxy.
    assert.equal((await national('FAR', PROXY, `10.255.255.1, ${PROXY}`)).json.head.status, '10');
    assert.equal((await national('FAR', PROXY, '10.255.255.1, 127.0.0.3')).json.head.status, '11');
    assert.equal((await sichuanCall(PROXY, '127.0.0.1')).json.head.status, '10');
    assert.equal((await sichuanCall(PROXY, '127.0.0.2')).json.head.status, '11');
  });
});
