import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '../../src/crypto/keyring.js';
import { FileTickets } from '../../src/core/file-tickets.js';
import { CertificateFiles, CopyError } from '../../src/core/certificate-files.js';

const keys = new Keyring(new Map([['k1', Buffer.alloc(16, 1)]]), 'k1', Buffer.alloc(32, 2));
const ID = '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U';

test('a copy link carries format, purpose, maker and expiry, sealed', () => {
  const tickets = new FileTickets(keys, 600);
  const now = Date.UTC(2026, 0, 1);
  const token = tickets.issue(ID, 'ofd', now, { reason: '办理入学', maker: 'acct-1', expiresAt: now + 86_400_000 });
  const check = tickets.check(token, now);
  assert.ok(check.ok);
  assert.deepEqual(check.ok && check.ticket, { certificateId: ID, format: 'ofd', expires: now / 1000 + 600, copy: { reason: '办理入学', maker: 'acct-1', expiresAt: now + 86_400_000 } });
  assert.ok(!Buffer.from(token, 'base64url').toString('utf8').includes('办理入学'));
  const original = tickets.check(tickets.issue(ID, 'pdf', now), now);
  assert.equal(original.ok && original.ticket.copy, undefined);
});

test('a copy with an expiry in the past, no reason, or a reason over 200 characters is refused', () => {
  const now = Date.UTC(2026, 0, 1);
  const files = new CertificateFiles({
    dir: '/nonexistent', renderers: async () => { throw new Error('not reached'); }, seals: { sealFor: async () => undefined },
    signer: async () => { throw new Error('not reached'); }, verifyUrl: (id) => id, now: () => now,
  });
  const problem = (f: () => void) => { try { f(); return 'none'; } catch (e) { return e instanceof CopyError ? e.problem : String(e); } };
  assert.equal(problem(() => files.checkCopy({ reason: 'x', maker: 'm', expiresAt: now - 1 })), 'expiry-past');
  assert.equal(problem(() => files.checkCopy({ reason: '  ', maker: 'm', expiresAt: now + 1000 })), 'reason-missing');
  assert.equal(problem(() => files.checkCopy({ reason: '证'.repeat(201), maker: 'm', expiresAt: now + 1000 })), 'reason-too-long');
  assert.equal(problem(() => files.checkCopy({ reason: '证'.repeat(200), maker: 'm', expiresAt: now + 1000 })), 'none');
});
