import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkProtocol } from '../../src/dialects/link-protocol.js';

test('contentType of a download address: DB3704/T 0042 4.3.2\'s example and an https address', () => {
  // 4.3.2, province level: "contentType": "http" beside "content": "http://ip:port/CertShare/zzgxp/download?id=…".
  assert.equal(linkProtocol('http://ip:port/CertShare/zzgxp/download?id=fe7d0b138e6848bc88268a950aa6d005'), 'http');
  // 4.3.2's table: 取值为“http”或“https”.
  assert.equal(linkProtocol('HTTPS://zz.example.gov.cn/files/abc'), 'https');
  assert.throws(() => linkProtocol('/files/abc'), /without a scheme/);
});
