import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSm2KeyPair } from '../../src/crypto/sm2.js';
import { parsePermission, allowsOperation, allowsType, DEFAULT_PERMISSION } from '../../src/core/trusted-access/permission.js';
import { signTrustedToken, verifyTrustedToken, type TokenClaims } from '../../src/core/trusted-access/token.js';
import { serviceCodeArea, signServiceCode, verifyServiceCode } from '../../src/core/trusted-access/service-code.js';

const MARRIAGE = '111000000000131433001';
const key = generateSm2KeyPair();
const other = generateSm2KeyPair();
const signer = { kid: 'sm2-test', privateKeyHex: key.privateKey };
const keyOf = (kid: string) => (kid === 'sm2-test' ? key.publicKey : undefined);
const NOW = Date.UTC(2024, 0, 1) ;
const claims: TokenClaims = {
  tokenId: 'a'.repeat(32), issuerArea: '310000', holderCode: '11010519491231002X', holderType: '111', appId: 'YRDAPP1',
  permissionText: `info,retrieve@${MARRIAGE}`, authType: '2', transactionId: 'T1', issuedAt: NOW / 1000, expiresAt: NOW / 1000 + 600,
};

test('permission: canonical text, operations and types, malformed ones refused with a reason', () => {
  const p = parsePermission(`retrieve,info,retrieve@${MARRIAGE}`);
  assert.ok(p.ok);
  assert.equal(p.text, `info,retrieve@${MARRIAGE}`);
  assert.equal(allowsOperation(p.permission, 'info'), true);
  assert.equal(allowsOperation(p.permission, 'download'), false);
  assert.equal(allowsType(p.permission, MARRIAGE), true);
  assert.equal(allowsType(p.permission, '11100000000019713D001'), false);
  const all = parsePermission('*@*');
  assert.ok(all.ok && allowsOperation(all.permission, 'usage') && allowsType(all.permission, MARRIAGE));
  assert.deepEqual(parsePermission(DEFAULT_PERMISSION), { ok: true, permission: { operations: new Set(['download', 'info', 'retrieve']), types: 'all' }, text: DEFAULT_PERMISSION });
  for (const [bad, why] of [['', /1-2048/], ['retrieve', /operations@types/], ['read@*', /unknown operation "read"/], ['retrieve@MARRIAGE', /not a certificate type code/],
    ['retrieve,@*', /unknown operation ""/], ['a@b@c', /operations@types/]] as const) {
    const r = parsePermission(bad);
    assert.equal(r.ok, false, bad);
    assert.match((r as { message: string }).message, why, bad);
  }
});

test('token: signed claims round-trip; forged, unknown-issuer, expired, revoked and malformed tokens refused distinctly', async () => {
  const t = signTrustedToken(claims, signer);
  assert.match(t, /^YRDT1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  const ok = await verifyTrustedToken(t, { keyOf, now: NOW + 1000 });
  assert.ok(ok.ok);
  assert.deepEqual({ ...ok.grant, permission: undefined }, { ...claims, kid: 'sm2-test', holderName: undefined, permission: undefined });

  const [h, p, s] = t.split('.');
  const altered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), perm: '*@*' })).toString('base64url');
  assert.deepEqual(await problem(`${h}.${altered}.${s}`), 'forged');
  assert.deepEqual(await problem(signTrustedToken(claims, { kid: 'sm2-test', privateKeyHex: other.privateKey })), 'forged');
  assert.deepEqual(await problem(signTrustedToken(claims, { kid: 'sm2-else', privateKeyHex: key.privateKey })), 'unknown-issuer');
  assert.deepEqual(await problem(t, NOW + 606_000), 'expired');
  assert.deepEqual(await problem(t, NOW + 604_000), undefined);
  const revoked = await verifyTrustedToken(t, { keyOf, now: NOW, isRevoked: (g) => g.tokenId === claims.tokenId });
  assert.deepEqual(revoked.ok ? 'ok' : [revoked.problem, revoked.grant?.holderCode], ['revoked', claims.holderCode]);
  for (const bad of ['', 'YRDT1.x', `YRDT2.${p}.${s}`, `${h}.!!.${s}`, signTrustedToken({ ...claims, issuerArea: '31' }, signer), signTrustedToken({ ...claims, permissionText: 'x' }, signer)]) {
    assert.equal(await problem(bad), 'malformed', bad);
  }
});

test('service code: area readable before checking, signature covers it, expiry applies', async () => {
  const c = signServiceCode({ codeId: '01', area: '310000', holderCode: claims.holderCode, holderType: '111', holderName: '张三', issuedAt: NOW / 1000, expiresAt: NOW / 1000 + 300 }, signer);
  assert.match(c, /^YRDSC1\.310000\./);
  assert.equal(serviceCodeArea(c), '310000');
  assert.equal(serviceCodeArea('YRDSC1.31.x.y'), undefined);
  const ok = await verifyServiceCode(c, keyOf, NOW);
  assert.deepEqual(ok, { ok: true, claims: { codeId: '01', area: '310000', holderCode: claims.holderCode, holderType: '111', holderName: '张三', issuedAt: NOW / 1000, expiresAt: NOW / 1000 + 300 } });
  const moved = c.replace('YRDSC1.310000.', 'YRDSC1.320000.');
  assert.equal((await verifyServiceCode(moved, keyOf, NOW) as { problem: string }).problem, 'forged');
  assert.equal((await verifyServiceCode(c, keyOf, NOW + 300_000) as { problem: string }).problem, 'expired');
  assert.equal((await verifyServiceCode(c, () => undefined, NOW) as { problem: string }).problem, 'unknown-issuer');
  assert.equal((await verifyServiceCode('YRDSC1.310000.e30.AA', keyOf, NOW) as { problem: string }).problem, 'malformed');
});

async function problem(token: string, now = NOW): Promise<string | undefined> {
  const r = await verifyTrustedToken(token, { keyOf, now });
  return r.ok ? undefined : r.problem;
}
