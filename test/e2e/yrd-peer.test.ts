import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { makeBackend, type Backend } from '../support/backends.js';
import { startYrdPeerNode, cli, cliAsync, type RunningNode } from '../support/node-process.js';
import { generateSm2KeyPair } from '../../src/crypto/sm2.js';
import { openEnvelope, sealEnvelope } from '../../src/crypto/envelope.js';
import { peerSignatureValid, signPeerMessage, type PeerMessage } from '../../src/federation/peer-message.js';

/**
 * The YRD direct channel between two real node processes on loopback: Shanghai (310000) calls
 * Jiangsu (320000) through its YrdPeerClient, Jiangsu answers through its peer face and a test
 * handler map. A third province, Anhui (340000), is played by this test process with its own SM2
 * keys and its own code for the wire format (peer-message.ts), so requests can be crafted byte by
 * byte: tampered, unsigned, stale, in clear.
 */
describe('YRD direct channel between two nodes', () => {
  let shB: Backend, jsB: Backend;
  let sh: RunningNode, js: RunningNode;
  let anhui: Server;
  let anhuiUrl: string;
  const ah = { sign: generateSm2KeyPair(), exchange: generateSm2KeyPair() };

  const call = async (area: string, iface: string, body: Record<string, unknown>, extra: { timeoutMs?: number; correlationId?: string } = {}) =>
    (await (await fetch(`${sh.baseUrl}/test/peer-call`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ area, interface: iface, body, correlationId: extra.correlationId ?? 'yrd-test-1', timeoutMs: extra.timeoutMs }),
    })).json()) as any;
  const raw = async (iface: string, message: unknown) => {
    const res = await fetch(`${js.baseUrl}/yrd/v1/peer/${iface}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
    return { status: res.status, text: await res.text() };
  };
  const ok = (r: { status: number; stdout: string; stderr: string }) => {
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const jsKeys = async () => (await (await fetch(`${js.baseUrl}/.well-known/zhengzhao/keys`)).json()) as any;
  /** A request as Anhui sends it, signed with its key unless told otherwise. */
  const fromAnhui = async (iface: string, data: string, over: Partial<PeerMessage> = {}, signer = ah.sign) => {
    const to = (await jsKeys()).keys.find((k: any) => k.use === 'encrypt');
    const m = signPeerMessage('request', iface, { from: '340000', to: to.kid, timestamp: new Date().toISOString(), data, ...over }, { kid: 'ah-sign-1', privateKey: signer.privateKey });
    return { ...m, ...over };
  };

  before(async () => {
    [shB, jsB] = await Promise.all([makeBackend('postgres'), makeBackend('postgres')]);
    [sh, js] = await Promise.all([
      startYrdPeerNode(shB, { ZHENGZHAO_AREA_CODE: '310000', ZHENGZHAO_HOP_TIMEOUT_MS: '3000' }),
      startYrdPeerNode(jsB, { ZHENGZHAO_AREA_CODE: '320000' }),
    ]);
    anhui = createServer((req, res) => {
      if (req.url !== '/.well-known/zhengzhao/keys') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        node: { role: 'province', areaCode: '340000' },
        keys: [{ kid: 'ah-sign-1', use: 'sign', publicKeyHex: ah.sign.publicKey }, { kid: 'ah-enc-1', use: 'encrypt', publicKeyHex: ah.exchange.publicKey }],
      }));
    });
    await new Promise<void>((r) => anhui.listen(0, '127.0.0.1', () => r()));
    anhuiUrl = `http://127.0.0.1:${(anhui.address() as { port: number }).port}`;
  });
  after(async () => {
    await Promise.all([sh?.stop(), js?.stop()]);
    anhui?.close();
    await Promise.all([shB?.cleanup(), jsB?.cleanup()]);
  });

  test('each node publishes a signing and a separate encryption key, with its area', async () => {
    const doc = await jsKeys();
    assert.equal(doc.node.areaCode, '320000');
    const sign = doc.keys.filter((k: any) => k.use === 'sign');
    const enc = doc.keys.filter((k: any) => k.use === 'encrypt');
    assert.equal(sign.length, 1);
    assert.equal(enc.length, 1);
    assert.notEqual(sign[0].publicKeyHex, enc[0].publicKeyHex);
    assert.match(enc[0].publicKeyHex, /^04[0-9a-f]{128}$/);
    assert.match(enc[0].publicKeyPem, /BEGIN PUBLIC KEY/);
  });

  test('a province that is not a registered peer is neither called nor answered', async () => {
    const r = await call('320000', 'Echo', { a: 1 });
    assert.deepEqual([r.ok, r.code], [false, '2']);
    assert.match(r.message, /not a YRD peer/);
  });

  test('peers add --fetch reads the keys; a URL serving another area is refused', async () => {
    const wrong = cli(shB, ['peers', 'add', '--area', '330000', '--name', '浙江', '--url', js.baseUrl, '--fetch', '--json']);
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.stderr, /area 320000, not 330000/);
    const p = ok(cli(shB, ['peers', 'add', '--area', '320000', '--name', '江苏', '--url', js.baseUrl, '--fetch', '--json']));
    assert.equal(p.areaCode, '320000');
    assert.match(p.encryptionKey.kid, /^sm2e-/);
    assert.equal(p.signingKeys.length, 1);
    ok(cli(jsB, ['peers', 'add', '--area', '310000', '--name', '上海', '--url', sh.baseUrl, '--fetch', '--json']));
    ok(await cliAsync(jsB, ['peers', 'add', '--area', '340000', '--name', '安徽', '--url', anhuiUrl, '--fetch', '--json']));
    const list = ok(cli(jsB, ['peers', 'list', '--json']));
    assert.deepEqual(list.map((x: any) => [x.areaCode, x.encryptionKey?.kid]), [['310000', list[0].encryptionKey.kid], ['340000', 'ah-enc-1']]);
    assert.equal(ok(cli(shB, ['peers', 'list', '--json']))[0].encryptionKey.kid, p.encryptionKey.kid);
  });

  test('a call goes sealed and signed, reaches the handler as a peer on the direct path, and its reply comes back', async () => {
    const body = { CertificateID: '1.2.156.3005.2.x', UseFor: '长三角跨省通办', operator: '张三' };
    const r = await call('320000', 'Echo', body, { correlationId: 'corr-42' });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(r.data, { echo: body, caller: { kind: 'peer', area: '310000' }, path: 'direct', correlationId: 'corr-42', answeredBy: '320000' });
  });

  test("the handler's refusal comes back with its code; a crash as 99 without its detail; an unknown interface as 2", async () => {
    const refused = await call('320000', 'Refuse', {});
    assert.deepEqual([refused.ok, refused.kind, refused.code, refused.fields], [false, 'service', '10', ['CertificateID']]);
    assert.match(refused.message, /not held here/);
    const crashed = await call('320000', 'Crash', {});
    assert.deepEqual([crashed.kind, crashed.code], ['service', '99']);
    assert.doesNotMatch(crashed.message, /hunter2/);
    assert.equal((await call('320000', 'NoSuchInterface', {})).code, '2');
  });

  test('a peer that does not answer in time is a hop timeout, within the limit', async () => {
    const t0 = Date.now();
    const r = await call('320000', 'Slow', { ms: 2000 }, { timeoutMs: 300 });
    assert.deepEqual([r.ok, r.kind, r.problem], [false, 'hop', 'timeout']);
    assert.ok(Date.now() - t0 < 1500, `${Date.now() - t0} ms`);
  });

  test('an independent peer (this process) sealed and signed by its own code is answered, sealed to it and signed by Jiangsu', async () => {
    const to = (await jsKeys()).keys.find((k: any) => k.use === 'encrypt');
    const body = { trustedToken: 'tt', UseFor: '办理' };
    const res = await raw('Echo', await fromAnhui('Echo', sealEnvelope(body, to.publicKeyHex)));
    assert.equal(res.status, 200, res.text);
    assert.doesNotMatch(res.text, /办理|trustedToken|peer/, 'nothing of the business data in clear');
    const reply = JSON.parse(res.text) as PeerMessage;
    assert.deepEqual([reply.from, reply.to], ['320000', 'ah-enc-1']);
    const jsSign = (await jsKeys()).keys.find((k: any) => k.use === 'sign' && k.kid === reply.signKid);
    assert.ok(peerSignatureValid('reply', 'Echo', reply, jsSign.publicKeyHex), "Jiangsu's signature over the reply");
    assert.ok(!peerSignatureValid('reply', 'Refuse', reply, jsSign.publicKeyHex), 'bound to the interface');
    const inner = openEnvelope(reply.data, ah.exchange.privateKey) as any;
    assert.deepEqual(inner, { ok: true, data: { echo: body, caller: { kind: 'peer', area: '340000' }, path: 'direct', correlationId: inner.data.correlationId, answeredBy: '320000' } });
  });

  test('refused in clear, each with its reason: plain data, unknown peer, bad signature, stale, replayed, tampered, unsigned', async () => {
    const to = (await jsKeys()).keys.find((k: any) => k.use === 'encrypt');
    const sealed = sealEnvelope({ a: 1 }, to.publicKeyHex);
    const code = (r: { status: number; text: string }) => [r.status, JSON.parse(r.text).error.code];
    assert.deepEqual(code(await raw('Echo', { CertificateID: 'x', UseFor: 'y' })), [400, 'plain-data']);
    assert.deepEqual(code(await raw('Echo', { from: '340000', data: { CertificateID: 'x' } })), [400, 'plain-data']);
    assert.deepEqual(code(await raw('Echo', await fromAnhui('Echo', Buffer.from(JSON.stringify({ a: 1 })).toString('base64')))), [400, 'plain-data'], 'Base64 of clear JSON, signed');
    assert.deepEqual(code(await raw('Echo', { from: '340000', data: sealed })), [400, 'malformed']);
    assert.deepEqual(code(await raw('Echo', await fromAnhui('Echo', sealed, { from: '350000' }))), [403, 'unknown-peer']);
    assert.deepEqual(code(await raw('Echo', await fromAnhui('Echo', sealed, {}, generateSm2KeyPair()))), [401, 'bad-signature'], 'signed by another key under its kid');
    const good = await fromAnhui('Echo', sealed);
    assert.deepEqual(code(await raw('Refuse', good)), [401, 'bad-signature'], 'a signature for one interface sent to another');
    const old = await fromAnhui('Echo', sealed, {});
    const stale = signPeerMessage('request', 'Echo', { from: '340000', to: old.to, timestamp: new Date(Date.now() - 600_000).toISOString(), data: sealed }, { kid: 'ah-sign-1', privateKey: ah.sign.privateKey });
    assert.deepEqual(code(await raw('Echo', stale)), [401, 'stale']);
    // The same signed request twice: answered once, then refused as a replay (a peer signs each attempt anew).
    const once = await fromAnhui('Echo', sealed);
    assert.equal((await raw('Echo', once)).status, 200);
    assert.deepEqual(code(await raw('Echo', once)), [409, 'replayed']);
    assert.equal((await raw('Echo', await fromAnhui('Echo', sealed))).status, 200, 'signed anew, the same data is answered');
    const hex = Buffer.from(sealed, 'base64').toString('latin1');
    const tampered = Buffer.from(hex.slice(0, -2) + (hex.endsWith('00') ? '01' : '00'), 'latin1').toString('base64');
    const t = await raw('Echo', await fromAnhui('Echo', tampered));
    assert.deepEqual(code(t), [400, 'undecryptable']);
    assert.match(JSON.parse(t.text).error.message, /C3 does not match/);
  });

  test('a peer removed is refused: the caller gets 11', async () => {
    ok(cli(jsB, ['peers', 'remove', '310000', '--json']));
    const r = await call('320000', 'Echo', { a: 1 });
    assert.deepEqual([r.ok, r.kind, r.code], [false, 'service', '11']);
    assert.match(r.message, /unknown-peer/);
  });
});
