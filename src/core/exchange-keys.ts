import type { Queryable } from '../store/db.js';
import { asBuffer } from '../store/db.js';
import type { Keyring } from '../crypto/keyring.js';
import { generateSm2KeyPair, sm2PublicKeyPem } from '../crypto/sm2.js';
import { sm3Hex } from '../crypto/sm3.js';
import { EnvelopeError, openEnvelope, sealEnvelope } from '../crypto/envelope.js';

/** An exchange key as /.well-known/zhengzhao/keys publishes it. */
export interface PublishedExchangeKey {
  kid: string;
  use: 'encrypt';
  /** SM2 public-key encryption (GB/T 32918.4), sealed as the YRD envelope (src/crypto/envelope.ts). */
  algorithm: 'SM2';
  publicKeyPem: string;
  publicKeyHex: string;
  validFrom: string;
}

interface KeyRow { kid: string; public_key: string; private_enc: Uint8Array; created_at: Date | string; retired_at: Date | string | null }

const kidOf = (publicKeyHex: string) => `sm2e-${sm3Hex(publicKeyHex).slice(0, 16)}`;
const aad = (kid: string) => `exchange-key:${kid}`;

/**
 * The node's SM2 key pair for envelopes (seed 004 5.5: others encrypt business data to its public
 * key; it decrypts with its private key). Separate from the signing key: one key for one purpose,
 * so rotating either leaves the other alone, and a decryption oracle can never be a signing oracle.
 * Made on first start and kept sealed in the database (nodes behind one database share it). After
 * a rotation only the new key is published, but the retired private keys stay, so envelopes sealed
 * to an old key while the news travelled still open.
 */
export class ExchangeKeys {
  /** Newest first; the first is current. */
  private keys: { kid: string; publicKey: string; privateKey: string; createdAt: string }[] = [];

  constructor(private readonly db: Queryable, private readonly keyring: Keyring) {}

  async init(): Promise<void> {
    if ((await this.db.query('select 1 from exchange_keys where retired_at is null limit 1')).length === 0) await this.insertNew();
    await this.load();
  }

  /** The current key, which others seal to. */
  get current(): { kid: string; publicKey: string } {
    const k = this.keys[0];
    if (!k) throw new Error('exchange keys not initialised');
    return { kid: k.kid, publicKey: k.publicKey };
  }

  /** Retires the current key and makes a new one; returns the new key's kid. */
  async rotate(): Promise<string> {
    await this.db.query('update exchange_keys set retired_at = now() where retired_at is null');
    const kid = await this.insertNew();
    await this.load();
    return kid;
  }

  /**
   * Opens an envelope sealed to one of this node's keys: the one named by `kid` when the sender said,
   * else the current key and then the retired ones, newest first. Throws EnvelopeError.
   */
  async open(data: unknown, kid?: string): Promise<Record<string, unknown>> {
    let candidates = kid ? this.keys.filter((k) => k.kid === kid) : this.keys;
    if (kid && candidates.length === 0) {
      // Rotated by another process since this one loaded its keys.
      await this.load();
      candidates = this.keys.filter((k) => k.kid === kid);
      if (candidates.length === 0) candidates = this.keys;
    }
    let last: unknown;
    for (const k of candidates) {
      try {
        return openEnvelope(data, k.privateKey);
      } catch (err) {
        // Only a C3 mismatch can mean "another key"; a malformed envelope is malformed for all of them.
        if (!(err instanceof EnvelopeError) || err.problem !== 'tampered') throw err;
        last = err;
      }
    }
    throw last ?? new EnvelopeError('tampered');
  }

  /** Seals business data to another node's exchange key. */
  seal(data: Readonly<Record<string, unknown>>, receiverPublicKeyHex: string): string {
    return sealEnvelope(data, receiverPublicKeyHex);
  }

  /** Only the current key: nobody should seal to a retired one. Read again, so a rotation by another process shows. */
  async published(): Promise<PublishedExchangeKey[]> {
    await this.load();
    const k = this.keys[0];
    if (!k) return [];
    return [{ kid: k.kid, use: 'encrypt', algorithm: 'SM2', publicKeyPem: sm2PublicKeyPem(k.publicKey), publicKeyHex: k.publicKey, validFrom: k.createdAt }];
  }

  private async insertNew(): Promise<string> {
    const pair = generateSm2KeyPair();
    const kid = kidOf(pair.publicKey);
    await this.db.query('insert into exchange_keys (kid, public_key, private_enc) values ($1, $2, $3) on conflict (kid) do nothing',
      [kid, pair.publicKey, this.keyring.seal(pair.privateKey, aad(kid))]);
    return kid;
  }

  private async load(): Promise<void> {
    // Two processes on one new database may both have made a key: the newest unretired one is current.
    const rows = await this.db.query<KeyRow>('select * from exchange_keys order by retired_at is null desc, created_at desc, kid');
    this.keys = rows.map((r) => ({
      kid: r.kid, publicKey: r.public_key, createdAt: new Date(r.created_at).toISOString(),
      privateKey: this.keyring.open(asBuffer(r.private_enc), aad(r.kid)).toString('utf8'),
    }));
  }
}
