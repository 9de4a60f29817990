import type { Queryable } from '../store/db.js';
import { asBuffer } from '../store/db.js';
import type { Keyring } from '../crypto/keyring.js';
import { generateSm2KeyPair, sm2PublicKeyPem, sm2Sign, sm2Verify, SM2_DEFAULT_USER_ID } from '../crypto/sm2.js';
import { sm3, sm3Hex } from '../crypto/sm3.js';
import { selfSignedCertificate } from '../crypto/x509.js';
import type { FileSigner } from './layout-input.js';

export interface PublishedKey {
  kid: string;
  /** What the key is for: signatures (this one) or envelopes (exchange-keys.ts). */
  use: 'sign';
  algorithm: 'SM2-SM3';
  userId: string;
  publicKeyPem: string;
  publicKeyHex: string;
  /** Self-issued X.509 certificate of the key (SM2 with SM3). */
  certificatePem?: string;
  validFrom: string;
  validTo?: string;
}

interface KeyRow { kid: string; public_key: string; private_enc: Uint8Array; certificate: string | null; created_at: Date | string; retired_at: Date | string | null }

/** How long a node certificate is valid; the key itself stays published after it is retired. */
const CERTIFICATE_YEARS = 10;

/**
 * The node's SM2 signing key, made on first start and kept in the database sealed under the data
 * key (so nodes behind one database share it). Retired keys stay published: what they signed can
 * still be checked.
 */
export class NodeKeys {
  private current?: { kid: string; privateKey: string; publicKey: string; certificatePem?: string };
  private readonly publicKeys = new Map<string, string>();

  constructor(private readonly db: Queryable, private readonly keys: Keyring) {}

  async init(): Promise<void> {
    let rows = await this.db.query<KeyRow>('select * from node_keys where retired_at is null order by created_at desc limit 1');
    if (rows.length === 0) {
      const pair = generateSm2KeyPair();
      const kid = `sm2-${sm3Hex(pair.publicKey).slice(0, 16)}`;
      await this.db.query(
        'insert into node_keys (kid, public_key, private_enc) values ($1, $2, $3) on conflict (kid) do nothing',
        [kid, pair.publicKey, this.keys.seal(pair.privateKey, `node-key:${kid}`)],
      );
      rows = await this.db.query<KeyRow>('select * from node_keys where retired_at is null order by created_at desc limit 1');
    }
    const row = rows[0]!;
    this.current = {
      kid: row.kid,
      publicKey: row.public_key,
      privateKey: this.keys.open(asBuffer(row.private_enc), `node-key:${row.kid}`).toString('utf8'),
      certificatePem: row.certificate ?? undefined,
    };
    // Keys made before certificates existed get theirs on the next start.
    if (!row.certificate) {
      const from = new Date(row.created_at);
      const until = new Date(from);
      until.setUTCFullYear(until.getUTCFullYear() + CERTIFICATE_YEARS);
      const cert = selfSignedCertificate({
        commonName: `zhengzhao node ${row.kid}`, organization: 'zhengzhao', publicKeyHex: row.public_key,
        privateKeyHex: this.current.privateKey, notBefore: from, notAfter: until,
        keyId: sm3(Buffer.from(row.public_key, 'hex')).subarray(0, 20),
      });
      await this.db.query('update node_keys set certificate = $2 where kid = $1 and certificate is null', [row.kid, cert.pem]);
      // Another process may have stored its own certificate first: use whichever the database kept.
      const kept = await this.db.query<{ certificate: string }>('select certificate from node_keys where kid = $1', [row.kid]);
      this.current.certificatePem = kept[0]?.certificate ?? cert.pem;
    }
  }

  get kid(): string {
    return this.need().kid;
  }

  sign(data: Uint8Array): { signature: string; kid: string } {
    const k = this.need();
    return { signature: sm2Sign(data, k.privateKey, SM2_DEFAULT_USER_ID).toString('base64'), kid: k.kid };
  }

  async verify(data: Uint8Array, signatureBase64: string, kid: string): Promise<boolean> {
    let pub = this.publicKeys.get(kid);
    if (!pub) {
      pub = (await this.db.query<{ public_key: string }>('select public_key from node_keys where kid = $1', [kid]))[0]?.public_key;
      if (!pub) return false;
      this.publicKeys.set(kid, pub);
    }
    return sm2Verify(data, Buffer.from(signatureBase64, 'base64'), pub, SM2_DEFAULT_USER_ID);
  }

  async published(): Promise<PublishedKey[]> {
    const rows = await this.db.query<KeyRow>('select kid, public_key, certificate, created_at, retired_at from node_keys order by created_at');
    const iso = (v: Date | string) => new Date(v).toISOString();
    return rows.map((r) => ({
      kid: r.kid,
      use: 'sign' as const,
      algorithm: 'SM2-SM3' as const,
      userId: SM2_DEFAULT_USER_ID,
      publicKeyPem: sm2PublicKeyPem(r.public_key),
      publicKeyHex: r.public_key,
      ...(r.certificate ? { certificatePem: r.certificate } : {}),
      validFrom: iso(r.created_at),
      ...(r.retired_at ? { validTo: iso(r.retired_at) } : {}),
    }));
  }

  /**
   * The current key as a file signer (layout files, seals): it signs with the default SM2 user ID and
   * carries the key's self-issued certificate, which OFD signatures and seals embed.
   */
  fileSigner(): FileSigner {
    const k = this.need();
    if (!k.certificatePem) throw new Error('node key has no certificate');
    const certificateDer = Buffer.from(k.certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    return { sign: (data) => sm2Sign(data, k.privateKey, SM2_DEFAULT_USER_ID), certificateDer, publicKeyHex: k.publicKey };
  }

  /** Key material for worker threads that sign in parallel (import). */
  signingMaterial(): { kid: string; privateKey: string } {
    const k = this.need();
    return { kid: k.kid, privateKey: k.privateKey };
  }

  private need() {
    if (!this.current) throw new Error('node keys not initialised');
    return this.current;
  }
}
