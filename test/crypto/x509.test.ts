import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as asn1js from 'asn1js';
import { generateSm2KeyPair, sm2PublicKeyPem } from '../../src/crypto/sm2.js';
import { selfSignedCertificate } from '../../src/crypto/x509.js';

test('a node certificate parses in OpenSSL and its SM2 signature checks with the standard user ID', () => {
  const k = generateSm2KeyPair();
  const cert = selfSignedCertificate({
    commonName: 'zhengzhao node sm2-test', organization: 'zhengzhao', publicKeyHex: k.publicKey, privateKeyHex: k.privateKey,
    notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z'), keyId: Buffer.alloc(20, 7),
  });
  const dir = mkdtempSync(join(tmpdir(), 'zz-x509-'));
  const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { cwd: dir, encoding: 'utf8' });
  try {
    writeFileSync(join(dir, 'cert.pem'), cert.pem);
    const text = sh('openssl x509 -in cert.pem -noout -text');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /Version: 3/);
    assert.match(text.stdout, /Signature Algorithm: SM2-with-SM3/);
    assert.match(text.stdout, /Subject: C = CN, O = zhengzhao, CN = zhengzhao node sm2-test/);
    assert.match(text.stdout, /Not After : Jan  1 00:00:00 2036 GMT/);
    assert.match(text.stdout, /CA:FALSE/);
    assert.match(text.stdout, /Digital Signature, Non Repudiation/);
    // The certificate's key is the node key.
    assert.equal(sh('openssl x509 -in cert.pem -noout -pubkey').stdout, sm2PublicKeyPem(k.publicKey));
    // OpenSSL cuts out the TBSCertificate; the signature value comes from the outer structure.
    assert.equal(sh('openssl asn1parse -in cert.pem -strparse 4 -noout -out tbs.der').status, 0);
    const outer = asn1js.fromBER(new Uint8Array(cert.der)).result as asn1js.Sequence;
    writeFileSync(join(dir, 'sig.der'), Buffer.from((outer.valueBlock.value[2] as asn1js.BitString).valueBlock.valueHexView));
    writeFileSync(join(dir, 'pub.pem'), sm2PublicKeyPem(k.publicKey));
    const ok = sh('openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in tbs.der -sigfile sig.der -digest sm3 -pkeyopt distid:1234567812345678');
    assert.match(ok.stdout, /Signature Verified Successfully/, ok.stderr);
    const tbs = readFileSync(join(dir, 'tbs.der'));
    tbs[tbs.length - 1] = tbs[tbs.length - 1]! ^ 1;
    writeFileSync(join(dir, 'tbs2.der'), tbs);
    const bad = sh('openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in tbs2.der -sigfile sig.der -digest sm3 -pkeyopt distid:1234567812345678');
    assert.doesNotMatch(bad.stdout, /Verified Successfully/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
