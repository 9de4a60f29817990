import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { Config } from '../config.js';

/**
 * What the node listens with: HTTPS when a certificate and key are configured, and the proxies
 * whose X-Forwarded-For Fastify believes (proxy-addr: the client is the nearest address that is not
 * a trusted proxy; with no proxy trusted, the socket's address and the header is ignored).
 *
 * SM2 certificates: whether TLS can serve one depends on the OpenSSL build Node links (OpenSSL
 * 3.0 refuses an SM2 certificate with "unknown certificate type"; Tongsuo and builds with
 * RFC 8998 support take it). So the node tries: it builds the TLS context at start, and if the
 * build refuses the key it stops with a message saying so, instead of failing on the first client.
 * RSA and ECDSA certificates work with every build.
 */
export function transportOptions(cfg: Config): { https?: { cert: Buffer; key: Buffer }; trustProxy: string[] | false } {
  const trustProxy = cfg.trustProxy.length > 0 ? cfg.trustProxy : false;
  if (!cfg.tls) return { trustProxy };
  const cert = readFileSync(cfg.tls.certFile);
  const key = readFileSync(cfg.tls.keyFile);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    const kind = keyKind(key, cert);
    const sm2 = kind === 'sm2' ? ' This OpenSSL build cannot serve an SM2 certificate over TLS: use an RSA or ECDSA certificate here (or a Node built with an SM2-capable OpenSSL).' : '';
    throw new Error(`--tls-cert ${cfg.tls.certFile} / --tls-key ${cfg.tls.keyFile} (${kind} key): ${(err as Error).message}.${sm2}`);
  }
  return { https: { cert, key }, trustProxy };
}

const SM2_CURVE_OID = Buffer.from('06082a811ccf5501822d', 'hex');

/** The key's algorithm as OpenSSL names it (sm2, ec, rsa, …), for the error message; the certificate's when the key cannot be read. */
function keyKind(key: Buffer, cert: Buffer): string {
  try {
    const k = createPrivateKey(key);
    // Node names no type for an SM2 key: its PKCS#8 form carries the curve's OID, 1.2.156.10197.1.301.
    if (!k.asymmetricKeyType && (k.export({ format: 'der', type: 'pkcs8' }) as Buffer).includes(SM2_CURVE_OID)) return 'sm2';
    return k.asymmetricKeyType ?? 'unknown';
  } catch {
    try {
      return new X509Certificate(cert).publicKey.asymmetricKeyType ?? 'unknown';
    } catch {
      return 'unreadable';
    }
  }
}
