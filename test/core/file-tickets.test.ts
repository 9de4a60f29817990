import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '../../src/crypto/keyring.js';
import { FileTickets } from '../../src/core/file-tickets.js';

const keys = new Keyring(new Map([['k1', Buffer.alloc(16, 1)]]), 'k1', Buffer.alloc(32, 2));
const ID = '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U';

test('a ticket opens within its lifetime and reveals nothing of the certificate', () => {
  const tickets = new FileTickets(keys, 600);
  const now = Date.UTC(2026, 0, 1);
  const token = tickets.issue(ID, 'pdf', now);
  const check = tickets.check(token, now + 599_000);
  assert.ok(check.ok);
  assert.equal(check.ok && check.ticket.certificateId, ID);
  assert.ok(!Buffer.from(token, 'base64url').toString('latin1').includes('11430000006122244L'));
});

test('an expired ticket is refused as expired, an altered or foreign one as invalid', () => {
  const tickets = new FileTickets(keys, 600);
  const now = Date.UTC(2026, 0, 1);
  const token = tickets.issue(ID, 'pdf', now);
  assert.deepEqual(tickets.check(token, now + 601_000), { ok: false, reason: 'expired' });
  const bytes = Buffer.from(token, 'base64url');
  for (const i of [3, 10, bytes.length - 20, bytes.length - 1]) {
    const bad = Buffer.from(bytes);
    bad[i] = bad[i]! ^ 0x40;
    assert.deepEqual(tickets.check(bad.toString('base64url'), now), { ok: false, reason: 'invalid' }, `byte ${i}`);
  }
  const other = new FileTickets(new Keyring(new Map([['k1', Buffer.alloc(16, 9)]]), 'k1', Buffer.alloc(32, 2)), 600);
  assert.deepEqual(other.check(token, now), { ok: false, reason: 'invalid' });
  assert.deepEqual(tickets.check('../../etc/passwd', now), { ok: false, reason: 'invalid' });
});

test('keyring: values sealed under a retired key stay readable after rotation; unknown keys fail loudly', () => {
  const old = new Keyring(new Map([['k1', Buffer.alloc(16, 1)]]), 'k1', Buffer.alloc(32, 2));
  const sealed = old.seal('张三', 'holder:x');
  const rotated = new Keyring(new Map([['k2', Buffer.alloc(16, 3)], ['k1', Buffer.alloc(16, 1)]]), 'k2', Buffer.alloc(32, 2));
  assert.equal(rotated.open(sealed, 'holder:x').toString(), '张三');
  assert.equal(rotated.seal('x', 'c').subarray(0, 3).toString(), 'k2\0');
  const without = new Keyring(new Map([['k2', Buffer.alloc(16, 3)]]), 'k2', Buffer.alloc(32, 2));
  assert.throws(() => without.open(sealed, 'holder:x'), /k1/);
  assert.throws(() => rotated.open(sealed, 'holder:y'), /authentication/);
  assert.deepEqual(old.blindIndex('holder', 'A'), rotated.blindIndex('holder', 'A'), 'the blind index does not change with the data key');
  assert.notDeepEqual(old.blindIndex('holder', 'A'), old.blindIndex('number', 'A'));
});

test('a ticket spelled any other way than its one base64url encoding is refused (an extra character, spare bits set)', () => {
  const tickets = new FileTickets(keys, 600);
  const now = Date.UTC(2026, 0, 1);
  // Tickets of identifiers of growing length: some have a length that is a multiple of 4, some not.
  const tokens = [0, 1, 2, 3].map((n) => tickets.issue(`${ID.slice(0, -6)}${'9'.repeat(n)}.001.U`, 'pdf', now));
  const whole = tokens.find((t) => t.length % 4 === 0)!;
  const partial = tokens.find((t) => t.length % 4 === 2 || t.length % 4 === 3)!;
  assert.ok(whole && partial);
  for (const t of tokens) assert.ok(tickets.check(t, now).ok);
  for (const extra of ['A', 'Q', '-']) assert.deepEqual(tickets.check(`${whole}${extra}`, now), { ok: false, reason: 'invalid' }, extra);
  // The last character of a partial group carries bits the bytes do not use: set one, same bytes, another spelling.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(partial.at(-1)!);
  const respelled = `${partial.slice(0, -1)}${alphabet[last ^ 1]}`;
  assert.deepEqual(Buffer.from(respelled, 'base64url'), Buffer.from(partial, 'base64url'), 'Node reads both as the same bytes');
  assert.deepEqual(tickets.check(respelled, now), { ok: false, reason: 'invalid' });
});
