/**
 * SM2 ciphertext layouts (GM/T 0003.4 order C1 ‖ C3 ‖ C2):
 *
 *   raw  (what sm2Encrypt returns):  04 ‖ x1 (32) ‖ y1 (32) ‖ C3 = SM3(x2 ‖ M ‖ y2) (32) ‖ C2 (len M)
 *   DER  (GM/T 0009, what OpenSSL's EVP_PKEY_encrypt and `openssl pkeyutl -encrypt` write):
 *        SEQUENCE { x1 INTEGER, y1 INTEGER, C3 OCTET STRING, C2 OCTET STRING }
 *
 * Same fields in the same order; DER writes the coordinates as minimal signed integers.
 */
const RAW_HEADER = 1 + 32 + 32 + 32;

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, value: Uint8Array) => Buffer.concat([Buffer.from([tag]), derLength(value.length), value]);

function derUnsigned(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const v = Buffer.from(bytes.subarray(i));
  return tlv(0x02, v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

export function sm2CiphertextToDer(raw: Uint8Array): Buffer {
  if (raw.length < RAW_HEADER || raw[0] !== 0x04) throw new Error('SM2 ciphertext must be 04 ‖ x ‖ y ‖ C3 ‖ C2');
  return tlv(0x30, Buffer.concat([
    derUnsigned(raw.subarray(1, 33)), derUnsigned(raw.subarray(33, 65)),
    tlv(0x04, raw.subarray(65, 97)), tlv(0x04, raw.subarray(97)),
  ]));
}

/** Reads one TLV of the expected tag at `at`; returns its value and where the next one starts. */
function readTlv(der: Uint8Array, at: number, tag: number): { value: Uint8Array; next: number } {
  if (der[at] !== tag) throw new Error('SM2 ciphertext: unexpected DER tag');
  let len = der[at + 1] ?? 0;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4) throw new Error('SM2 ciphertext: bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[start + i] ?? 0);
    start += n;
  }
  if (start + len > der.length) throw new Error('SM2 ciphertext: truncated DER');
  return { value: der.subarray(start, start + len), next: start + len };
}

function coordinate(value: Uint8Array): Buffer {
  let v = Buffer.from(value);
  while (v.length > 32 && v[0] === 0) v = v.subarray(1);
  if (v.length > 32) throw new Error('SM2 ciphertext: coordinate too long');
  return Buffer.concat([Buffer.alloc(32 - v.length), v]);
}

export function sm2CiphertextFromDer(der: Uint8Array): Buffer {
  const seq = readTlv(der, 0, 0x30).value;
  const x = readTlv(seq, 0, 0x02);
  const y = readTlv(seq, x.next, 0x02);
  const c3 = readTlv(seq, y.next, 0x04);
  const c2 = readTlv(seq, c3.next, 0x04);
  if (c3.value.length !== 32) throw new Error('SM2 ciphertext: C3 must be 32 bytes');
  return Buffer.concat([Buffer.from([0x04]), coordinate(x.value), coordinate(y.value), c3.value, c2.value]);
}
