import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { openServices, type Services } from '../../src/node/services.js';
import { ConsoleAuth, ConsoleAuthError, csrfOf, DEFAULT_CONSOLE_POLICY } from '../../src/core/console-auth.js';
import { sm3 } from '../../src/crypto/sm3.js';
import { makeCreditCode } from '../../src/domain/holder-code.js';
import { makeBackend, postgresSkip, type Backend } from '../support/backends.js';

/** Console sessions as seed 002 5.4.4 asks: an idle session ends, logout clears it, the table holds no usable token. */
const skip = await postgresSkip();
let b: Backend;
let s: Services;
let auth: ConsoleAuth;

before(async () => {
  if (skip) return;
  b = await makeBackend();
  s = await openServices(loadConfig({ data: b.dataDir, databaseUrl: b.databaseUrl }, {}), { warn: () => {} });
  auth = new ConsoleAuth(s.db, { ...DEFAULT_CONSOLE_POLICY, idleSeconds: 1, lockAfter: 3 });
  await auth.addOperator({ account: 'op_a', name: '甲', role: 'issuer', orgCode: makeCreditCode('1', '1', '110108', '00000555X'), password: 'password-a' });
});
after(async () => {
  if (skip) return;
  await s.close();
  await b.cleanup();
});

test('a session lives while used, ends after the idle timeout, and logout deletes it', { skip }, async () => {
  const signed = await auth.signIn('op_a', 'password-a');
  assert.equal(signed.csrfToken, csrfOf(signed.token));
  const stored = await s.db.query<{ token_hash: Buffer }>('select token_hash from console_sessions');
  assert.deepEqual(stored.map((r) => Buffer.from(r.token_hash).toString('hex')), [sm3(signed.token).toString('hex')], 'only the SM3 of the token is kept');
  assert.equal((await auth.session(signed.token))?.operator.account, 'op_a');
  await new Promise((r) => setTimeout(r, 2200));
  assert.equal(await auth.session(signed.token), undefined, 'idle longer than the timeout: ended');

  const again = await auth.signIn('op_a', 'password-a');
  assert.ok(await auth.session(again.token));
  await auth.signOut(again.token);
  assert.equal(await auth.session(again.token), undefined);
  assert.equal((await s.db.query('select 1 from console_sessions')).length, 0, 'ended and idle sessions are deleted');
});

test('operators are checked, wrong passwords lock the account, one answer for unknown accounts', { skip }, async () => {
  await assert.rejects(auth.addOperator({ account: 'op_b', name: '乙', role: 'issuer', password: 'password-b' }), /an issuer needs orgCode/);
  await assert.rejects(auth.addOperator({ account: 'x', name: '乙', role: 'auditor', password: 'password-b' }), /account: 2-64/);
  assert.equal(await auth.addOperator({ account: 'op_a', name: '甲', role: 'auditor', password: 'password-x' }), undefined, 'an existing account is not replaced');
  const unknown = await auth.signIn('nobody', 'password-a').catch((e: ConsoleAuthError) => e.message);
  const wrong = await auth.signIn('op_a', 'wrong-1').catch((e: ConsoleAuthError) => e.message);
  assert.equal(unknown, wrong);
  await auth.signIn('op_a', 'wrong-2').catch(() => undefined);
  await auth.signIn('op_a', 'wrong-3').catch(() => undefined);
  await assert.rejects(auth.signIn('op_a', 'password-a'), (e: ConsoleAuthError) => e.problem === 'locked');
});
