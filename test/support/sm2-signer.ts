import { generateSm2KeyPair, sm2Sign } from '../../src/crypto/sm2.js';
import { selfSignedCertificate } from '../../src/crypto/x509.js';
import { sm3 } from '../../src/crypto/sm3.js';
import type { FileSigner } from '../../src/core/layout-input.js';

/** A fresh SM2 key with a self-issued certificate, as a node has: signs seals, stamps and files in tests. */
export function testSigner(commonName = 'test node', notBefore = new Date(Date.now() - 86_400_000), years = 10): FileSigner {
  const pair = generateSm2KeyPair();
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + years);
  const cert = selfSignedCertificate({
    commonName, organization: 'zhengzhao', publicKeyHex: pair.publicKey, privateKeyHex: pair.privateKey,
    notBefore, notAfter, keyId: sm3(Buffer.from(pair.publicKey, 'hex')).subarray(0, 20),
  });
  return { sign: (data) => sm2Sign(data, pair.privateKey), certificateDer: cert.der, publicKeyHex: pair.publicKey };
}
