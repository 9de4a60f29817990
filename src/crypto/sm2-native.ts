import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { sm2CiphertextFromDer, sm2CiphertextToDer } from './sm2-ciphertext.js';

/**
 * SM2 through the OpenSSL inside Node, by the small N-API addon in native/ (built at install by
 * scripts/build-native.mjs). Node's crypto.sign() would use an empty user ID, so Z and the digest
 * e = SM3(Z ‖ M) are made here with Node's SM3 and the addon signs or verifies e. The same path works
 * from src/ under tsx and from dist/ compiled, and in worker threads (the addon is context-aware).
 */
export const ADDON_PATH = fileURLToPath(new URL('../../native/build/Release/zz_sm2.node', import.meta.url));

declare const handle: unique symbol;
type KeyHandle = { readonly [handle]: true };
interface Addon {
  key(publicKey: Uint8Array, privateKey?: Uint8Array): KeyHandle;
  sign(key: KeyHandle, e: Uint8Array): Buffer;
  verify(key: KeyHandle, e: Uint8Array, signatureDer: Uint8Array): boolean;
  encrypt(key: KeyHandle, plaintext: Uint8Array): Buffer;
  decrypt(key: KeyHandle, ciphertextDer: Uint8Array): Buffer;
}

export interface NativeSm2 {
  sign(message: Uint8Array, privateKeyHex: string, userId: string): Buffer;
  /** Throws for a key that is not a curve point; false for any bad signature. */
  verify(message: Uint8Array, signatureDer: Uint8Array, publicKeyHex: string, userId: string): boolean;
  encrypt(plaintext: Uint8Array, publicKeyHex: string): Buffer;
  decrypt(ciphertext: Uint8Array, privateKeyHex: string): Buffer;
}

// a ‖ b ‖ xG ‖ yG of sm2p256v1, which Z covers after the user ID.
const CURVE = Buffer.from(
  'fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc' +
  '28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93' +
  '32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7' +
  'bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0', 'hex');

/** Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), GB/T 32918.2 5.5; ENTL is the ID's length in bits. */
function zOf(publicKey: Buffer, userId: string): Buffer {
  const id = Buffer.from(userId, 'utf8');
  if (id.length >= 8192) throw new Error('SM2 user ID too long');
  const entl = Buffer.from([(id.length * 8) >> 8, (id.length * 8) & 0xff]);
  return createHash('sm3').update(entl).update(id).update(CURVE).update(publicKey.subarray(1)).digest();
}

interface Key { handle: KeyHandle; publicKey: Buffer; z: Map<string, Buffer> }

/** Public key 04 ‖ x ‖ y of a private key, derived by OpenSSL from a SEC1 structure without one. */
function publicOf(privateKeyHex: string): Buffer {
  const sec1 = Buffer.from(`30310201010420${privateKeyHex}a00a06082a811ccf5501822d`, 'hex');
  const spki = createPublicKey(createPrivateKey({ key: sec1, format: 'der', type: 'sec1' })).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 65);
}

function backend(addon: Addon): NativeSm2 {
  // Importing a key and deriving a public key cost more than a signature: keep a few of each.
  const privateKeys = new Map<string, Key>();
  const publicKeys = new Map<string, Key>();
  const remember = (cache: Map<string, Key>, id: string, key: Key) => {
    if (cache.size >= 256) cache.clear();
    cache.set(id, key);
    return key;
  };
  const privateKey = (hex: string) => {
    const known = privateKeys.get(hex);
    if (known) return known;
    const d = hex.padStart(64, '0').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(d)) throw new Error('SM2 private key must be 64 hex characters');
    const pub = publicOf(d);
    return remember(privateKeys, hex, { handle: addon.key(pub, Buffer.from(d, 'hex')), publicKey: pub, z: new Map() });
  };
  const publicKey = (hex: string) => {
    const known = publicKeys.get(hex);
    if (known) return known;
    if (!/^04[0-9a-fA-F]{128}$/.test(hex)) throw new Error('SM2 public key must be 04 ‖ x ‖ y in hex');
    const pub = Buffer.from(hex, 'hex');
    return remember(publicKeys, hex, { handle: addon.key(pub), publicKey: pub, z: new Map() });
  };
  const digest = (key: Key, userId: string, message: Uint8Array) => {
    let z = key.z.get(userId);
    if (!z) {
      z = zOf(key.publicKey, userId);
      if (key.z.size >= 16) key.z.clear();
      key.z.set(userId, z);
    }
    return createHash('sm3').update(z).update(message).digest();
  };
  return {
    sign: (message, privateKeyHex, userId) => {
      const key = privateKey(privateKeyHex);
      return addon.sign(key.handle, digest(key, userId, message));
    },
    verify: (message, signatureDer, publicKeyHex, userId) => {
      const key = publicKey(publicKeyHex);
      return addon.verify(key.handle, digest(key, userId, message), signatureDer);
    },
    encrypt: (plaintext, publicKeyHex) => sm2CiphertextFromDer(addon.encrypt(publicKey(publicKeyHex).handle, plaintext)),
    decrypt: (ciphertext, privateKeyHex) => addon.decrypt(privateKey(privateKeyHex).handle, sm2CiphertextToDer(ciphertext)),
  };
}

// The GB/T 32918.5 example (user ID 1234567812345678): a build that does not verify it is not used.
const CHECK_KEY = '0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13';
const CHECK_SIG = Buffer.from('3046022100f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3022100b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa', 'hex');

function selfCheck(sm2: NativeSm2): boolean {
  const id = '1234567812345678';
  return sm2.verify(Buffer.from('message digest'), CHECK_SIG, CHECK_KEY, id) && !sm2.verify(Buffer.from('message digesT'), CHECK_SIG, CHECK_KEY, id);
}

let loaded: NativeSm2 | null | undefined;

/**
 * The OpenSSL backend, or null when the addon was not built (the install said so) or does not work
 * here (a warning says so). Loaded once per thread; ZHENGZHAO_SM2 is the caller's business.
 */
export function loadNativeSm2(): NativeSm2 | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (!existsSync(ADDON_PATH)) return loaded;
  try {
    const sm2 = backend(createRequire(import.meta.url)(ADDON_PATH) as Addon);
    if (selfCheck(sm2)) loaded = sm2;
    else process.emitWarning('the SM2 addon fails the GB/T 32918 example; SM2 runs in JavaScript', { code: 'ZHENGZHAO_SM2' });
  } catch (err) {
    process.emitWarning(`the SM2 addon does not load (${(err as Error).message}); SM2 runs in JavaScript`, { code: 'ZHENGZHAO_SM2' });
  }
  return loaded;
}
