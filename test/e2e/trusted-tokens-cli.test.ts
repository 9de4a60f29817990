import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeBackend, type Backend } from '../support/backends.js';
import { cli } from '../support/node-process.js';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { TrustedTokenRepo } from '../../src/store/trusted-tokens.js';

/**
 * `zhengzhao trusted-tokens list`: the YRD trusted tokens a node issued (seed 004 table 9), as the
 * operator finds them: the good ones by default, all with --all, by app, by holder (through the
 * blind index the node keeps instead of the identity number).
 */
let b: Backend;
let s: Services;
const ids = { good: 'a'.repeat(32), expired: 'b'.repeat(32), revoked: 'c'.repeat(32), other: 'd'.repeat(32) };
const HOLDER = '11010519491231002X';
const OTHER_HOLDER = '110105198104210002';
let appA: string;
let appB: string;

before(async () => {
  b = await makeBackend('postgres');
  s = await openServices(loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }, {}), { warn: () => {} });
  appA = (await s.trustedApps.add('甲应用')).appId;
  appB = (await s.trustedApps.add('乙应用')).appId;
  const repo = new TrustedTokenRepo(s.db);
  const now = Date.now();
  const token = (id: string, appId: string, holder: string, issuedMinutesAgo: number, validMinutes: number) => repo.insert({
    id, appId, holderIndex: s.keys.blindIndex('holder', holder), permission: 'retrieve@*', authType: '2', transactionId: `T-${id.slice(0, 4)}`,
    issuedAt: new Date(now - issuedMinutesAgo * 60_000), expiresAt: new Date(now + (validMinutes - issuedMinutesAgo) * 60_000),
  });
  await token(ids.good, appA, HOLDER, 4, 30);
  await token(ids.expired, appA, HOLDER, 60, 30);
  await token(ids.revoked, appA, HOLDER, 3, 30);
  await token(ids.other, appB, OTHER_HOLDER, 2, 30);
  await s.trustedAccess.revoke(ids.revoked);
});

after(async () => {
  await s?.close();
  await b?.cleanup();
});

const list = (...args: string[]) => {
  const r = cli(b, ['trusted-tokens', 'list', '--json', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { id: string; appId: string; revokedAt?: string; expiresAt: string }[];
};

test('lists the good tokens newest first, every one with --all, by app and by holder', async () => {
  // The filters in the process (each command start opens the database: a few seconds on a loaded machine) ...
  const ids_ = async (o: Parameters<Services['trustedAccess']['listTokens']>[0]) => (await s.trustedAccess.listTokens(o)).map((t) => t.id);
  assert.deepEqual(await ids_({ all: true }), [ids.other, ids.revoked, ids.good, ids.expired]);
  assert.deepEqual(await ids_({ all: true, appId: appB }), [ids.other]);
  assert.deepEqual(await ids_({ all: true, holderCode: HOLDER }), [ids.revoked, ids.good, ids.expired]);
  assert.deepEqual(await ids_({ limit: 1 }), [ids.other]);
  // ... and the command itself, as the operator runs it.
  assert.deepEqual(list().map((t) => t.id), [ids.other, ids.good]);
  assert.deepEqual(list('--holder', HOLDER.toLowerCase()).map((t) => t.id), [ids.good]);
});

test('the human listing names each state; a bad holder or limit is refused with exit 1', () => {
  const r = cli(b, ['trusted-tokens', 'list', '--all']);
  assert.equal(r.status, 0, r.stderr);
  const states: Record<string, string> = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('\t')).map((f) => [f[0], f[5]!.split(' ')[0]]));
  assert.deepEqual(states, { [ids.other]: 'good', [ids.revoked]: 'revoked', [ids.good]: 'good', [ids.expired]: 'expired' });
  const bad = cli(b, ['trusted-tokens', 'list', '--holder', '110105194912310021']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /GB 11643/);
  assert.equal(cli(b, ['trusted-tokens', 'list', '--limit', '0']).status, 1);
});
