import { hmacSm3 } from './sm3.js';
import { frame, hmacSm3Many } from './batch.js';
import { Sm4Box } from './sm4.js';

/**
 * Data keys for encryption at rest. Every sealed value starts with the identifier of the key that
 * sealed it, so keys can be rotated: new values use the current key, old ones stay readable while
 * their key is still configured.
 *
 * Layout: keyId (utf-8) ‖ 0x00 ‖ Sm4Box output.
 */
export class Keyring {
  private readonly boxes = new Map<string, Sm4Box>();
  private readonly indexKey: Buffer;
  private readonly material_: KeyringMaterial;

  /** @param keys key id → key bytes (≥16); @param currentId the key new values are sealed with */
  constructor(keys: ReadonlyMap<string, Uint8Array>, readonly currentId: string, indexKey: Uint8Array) {
    for (const [id, key] of keys) {
      if (!/^[A-Za-z0-9_.-]{1,32}$/.test(id)) throw new Error(`bad data key id "${id}"`);
      this.boxes.set(id, new Sm4Box(key));
    }
    if (!this.boxes.has(currentId)) throw new Error(`current data key "${currentId}" is not configured`);
    if (indexKey.length < 16) throw new Error('the blind index key must have at least 16 bytes');
    this.indexKey = Buffer.from(indexKey);
    this.material_ = {
      keys: Object.fromEntries([...keys].map(([id, k]) => [id, Buffer.from(k).toString('hex')])), currentId, indexKey: this.indexKey.toString('hex'),
    };
  }

  /**
   * The key material, for a worker thread of this process that seals on its behalf (as the node key
   * goes to signing threads); never to be written anywhere.
   */
  material(): KeyringMaterial {
    return this.material_;
  }

  static fromMaterial(m: KeyringMaterial): Keyring {
    return new Keyring(new Map(Object.entries(m.keys).map(([id, hex]) => [id, Buffer.from(hex, 'hex')])), m.currentId, Buffer.from(m.indexKey, 'hex'));
  }

  seal(plaintext: string | Uint8Array, context: string): Buffer {
    const box = this.boxes.get(this.currentId)!;
    return Buffer.concat([Buffer.from(this.currentId + '\0', 'utf8'), box.seal(plaintext, context)]);
  }

  /**
   * `seal` of many values at once: each plaintext under its context, one after another in the
   * result; `ends[i]` is where value i ends.
   */
  sealMany(plaintexts: readonly string[], contexts: readonly string[], backend: 'auto' | 'javascript' = 'auto'): { sealed: Buffer; ends: Uint32Array } {
    const prefix = Buffer.from(this.currentId + '\0', 'utf8');
    const plain = frame(plaintexts);
    const sealed = this.boxes.get(this.currentId)!.sealMany(prefix, plain, frame(contexts), backend);
    const ends = new Uint32Array(plain.ends.length);
    for (let i = 0; i < ends.length; i++) ends[i] = plain.ends[i]! + (i + 1) * (prefix.length + 32);
    return { sealed, ends };
  }

  /** Throws when the key is unknown or the value was altered: data at rest must not silently change. */
  open(sealed: Uint8Array, context: string): Buffer {
    const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    const zero = buf.indexOf(0);
    if (zero <= 0) throw new Error('sealed value without key id');
    const id = buf.subarray(0, zero).toString('utf8');
    const box = this.boxes.get(id);
    if (!box) throw new Error(`sealed with data key "${id}", which is not configured`);
    const plain = box.open(buf.subarray(zero + 1), context);
    if (!plain) throw new Error(`sealed value failed authentication (key "${id}", ${context})`);
    return plain;
  }

  sealJson(value: unknown, context: string): Buffer {
    return this.seal(JSON.stringify(value), context);
  }

  openJson<T>(sealed: Uint8Array, context: string): T {
    return JSON.parse(this.open(sealed, context).toString('utf8')) as T;
  }

  /**
   * Blind index: a keyed SM3 hash, so equal codes can be looked up while the database alone
   * cannot tell which code a row holds. Domain-separated per kind of value.
   */
  blindIndex(kind: string, value: string): Buffer {
    return hmacSm3(this.indexKey, `${kind}\0${value}`);
  }

  /** `blindIndex` of many (kind, value) pairs: 32 bytes each, one after another. */
  blindIndexMany(items: readonly (readonly [kind: string, value: string])[], backend: 'auto' | 'javascript' = 'auto'): Buffer {
    return hmacSm3Many(this.indexKey, frame(items.map(([kind, v]) => `${kind}\0${v}`)), backend);
  }
}

export interface KeyringMaterial { keys: Record<string, string>; currentId: string; indexKey: string }
