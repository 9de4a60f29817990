import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalBase64url } from '../../src/crypto/base64url.js';

test('base64url: only the one canonical spelling of some bytes decodes', () => {
  assert.deepEqual(canonicalBase64url('AQID'), Buffer.from([1, 2, 3]));
  assert.deepEqual(canonicalBase64url('AQI'), Buffer.from([1, 2]));
  assert.deepEqual(canonicalBase64url(''), Buffer.alloc(0));
  for (const bad of ['AQIDx', 'AQIDAQ=', 'AQJ', 'AQ==', 'AQ ID', 'AQ+/', 'A']) assert.equal(canonicalBase64url(bad), undefined, bad);
});
