/*
 * Many HMAC-SM3s and SM4 seals in one call, for bulk work: the hub's catalog aggregation computes
 * two blind indexes and seals two values per row, a million rows a run. Through Node's crypto each
 * HMAC costs several microseconds of per-call overhead (objects, key import); here one key setup
 * serves a whole batch. The outputs are byte for byte those of src/crypto/sm4.ts (Sm4Box.seal) and
 * Keyring.blindIndex, which the tests compare them with.
 *
 * Inputs are framed: one buffer of concatenated messages and a Uint32Array of their end offsets.
 */
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "batch.h"

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

/* HMAC (RFC 2104) with the key's inner and outer pads hashed once; each message copies the states. */
typedef struct { EVP_MD_CTX *inner, *outer, *work; } hmac_sm3;

static void hmac_free(hmac_sm3 *h) {
  EVP_MD_CTX_free(h->inner);
  EVP_MD_CTX_free(h->outer);
  EVP_MD_CTX_free(h->work);
}

static int hmac_init(hmac_sm3 *h, const unsigned char *key, size_t len) {
  unsigned char k[64] = { 0 }, pad[64];
  const EVP_MD *md = EVP_sm3();
  h->inner = EVP_MD_CTX_new();
  h->outer = EVP_MD_CTX_new();
  h->work = EVP_MD_CTX_new();
  int ok = md && h->inner && h->outer && h->work;
  if (ok && len > 64) ok = EVP_Digest(key, len, k, NULL, md, NULL);
  else if (ok) memcpy(k, key, len);
  for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x36;
  ok = ok && EVP_DigestInit_ex(h->inner, md, NULL) && EVP_DigestUpdate(h->inner, pad, 64);
  for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x5c;
  ok = ok && EVP_DigestInit_ex(h->outer, md, NULL) && EVP_DigestUpdate(h->outer, pad, 64);
  OPENSSL_cleanse(k, sizeof k);
  OPENSSL_cleanse(pad, sizeof pad);
  return ok;
}

/* HMAC of the concatenation of up to four parts (empty parts have length 0). */
static int hmac_run(hmac_sm3 *h, const unsigned char *const parts[4], const size_t lens[4], unsigned char out[32]) {
  unsigned char inner[32];
  if (!EVP_MD_CTX_copy_ex(h->work, h->inner)) return 0;
  for (int i = 0; i < 4; i++)
    if (lens[i] && !EVP_DigestUpdate(h->work, parts[i], lens[i])) return 0;
  return EVP_DigestFinal_ex(h->work, inner, NULL)
    && EVP_MD_CTX_copy_ex(h->work, h->outer)
    && EVP_DigestUpdate(h->work, inner, 32)
    && EVP_DigestFinal_ex(h->work, out, NULL);
}

static napi_value fail(napi_env env, const char *msg) {
  ERR_clear_error();
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static int get_typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *count) {
  bool is;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  if (napi_get_typedarray_info(env, v, &type, count, data, NULL, NULL) != napi_ok) return 0;
  return type == want;
}

/* A framed argument: bytes and end offsets that rise and stay within the bytes. */
typedef struct { const unsigned char *data; size_t len; const uint32_t *ends; size_t n; } framed;

static int get_framed(napi_env env, napi_value data, napi_value ends, framed *f) {
  void *d, *e;
  if (!get_typed(env, data, napi_uint8_array, &d, &f->len) || !get_typed(env, ends, napi_uint32_array, &e, &f->n)) return 0;
  f->data = d;
  f->ends = e;
  uint32_t at = 0;
  for (size_t i = 0; i < f->n; i++) {
    if (f->ends[i] < at || f->ends[i] > f->len) return 0;
    at = f->ends[i];
  }
  return 1;
}

static size_t start_of(const framed *f, size_t i) { return i ? f->ends[i - 1] : 0; }

/* hmacSm3Many(key, data, ends) -> Buffer of 32 bytes per message. */
static napi_value hmac_sm3_many(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *key;
  size_t key_len;
  framed m;
  if (argc < 3 || !get_typed(env, argv[0], napi_uint8_array, &key, &key_len) || !get_framed(env, argv[1], argv[2], &m)) {
    napi_throw_type_error(env, NULL, "hmacSm3Many(key, data, ends): bad arguments");
    return NULL;
  }
  napi_value out;
  unsigned char *o;
  CHECK(napi_create_buffer(env, m.n * 32, (void **)&o, &out));
  hmac_sm3 h;
  int ok = hmac_init(&h, key, key_len);
  for (size_t i = 0; ok && i < m.n; i++) {
    size_t s = start_of(&m, i);
    const unsigned char *parts[4] = { m.data + s, NULL, NULL, NULL };
    const size_t lens[4] = { m.ends[i] - s, 0, 0, 0 };
    ok = hmac_run(&h, parts, lens, o + 32 * i);
  }
  hmac_free(&h);
  return ok ? out : fail(env, "hmacSm3Many: OpenSSL failed");
}

/*
 * sm4SealMany(ctrKey 16, macKey, prefix, plain, plainEnds, aad, aadEnds) -> Buffer holding, per
 * item, prefix ‖ iv ‖ SM4-CTR(plain) ‖ first 16 bytes of HMAC-SM3(macKey, len(aad) ‖ aad ‖ iv ‖ ct).
 * IVs are random (OpenSSL's RNG, one call for the batch); the CTR counter is the whole IV, as in
 * OpenSSL's CTR mode and Sm4Box.
 */
static napi_value sm4_seal_many(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *ctr_key, *mac_key, *prefix;
  size_t ctr_len, mac_len, prefix_len;
  framed p, a;
  if (argc < 7 || !get_typed(env, argv[0], napi_uint8_array, &ctr_key, &ctr_len) || ctr_len != 16
      || !get_typed(env, argv[1], napi_uint8_array, &mac_key, &mac_len) || !get_typed(env, argv[2], napi_uint8_array, &prefix, &prefix_len)
      || !get_framed(env, argv[3], argv[4], &p) || !get_framed(env, argv[5], argv[6], &a) || p.n != a.n) {
    napi_throw_type_error(env, NULL, "sm4SealMany(ctrKey, macKey, prefix, plain, plainEnds, aad, aadEnds): bad arguments");
    return NULL;
  }
  size_t total = p.n * (prefix_len + 32) + p.len;
  napi_value out;
  unsigned char *o;
  CHECK(napi_create_buffer(env, total, (void **)&o, &out));
  unsigned char *ivs = malloc(p.n * 16 + 1);
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  const EVP_CIPHER *sm4 = EVP_sm4_ctr();
  hmac_sm3 h = { 0 };
  int ok = ivs && ctx && sm4 && hmac_init(&h, mac_key, mac_len)
    && RAND_bytes(ivs, (int)(p.n * 16)) == 1
    && EVP_EncryptInit_ex(ctx, sm4, NULL, ctr_key, NULL);
  unsigned char *at = o;
  for (size_t i = 0; ok && i < p.n; i++) {
    size_t ps = start_of(&p, i), pl = p.ends[i] - ps;
    size_t as = start_of(&a, i), al = a.ends[i] - as;
    memcpy(at, prefix, prefix_len);
    unsigned char *iv = at + prefix_len, *ct = iv + 16, *tag = ct + pl;
    memcpy(iv, ivs + 16 * i, 16);
    int n = 0;
    ok = EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) && (pl == 0 || EVP_EncryptUpdate(ctx, ct, &n, p.data + ps, (int)pl));
    if (ok && (size_t)n != pl) ok = 0;
    unsigned char len[4] = { (unsigned char)(al >> 24), (unsigned char)(al >> 16), (unsigned char)(al >> 8), (unsigned char)al };
    unsigned char mac[32];
    const unsigned char *parts[4] = { len, a.data + as, iv, ct };
    const size_t lens[4] = { 4, al, 16, pl };
    ok = ok && hmac_run(&h, parts, lens, mac);
    if (ok) memcpy(tag, mac, 16);
    at = tag + 16;
  }
  hmac_free(&h);
  EVP_CIPHER_CTX_free(ctx);
  if (ivs) OPENSSL_cleanse(ivs, p.n * 16);
  free(ivs);
  return ok ? out : fail(env, "sm4SealMany: OpenSSL failed");
}

int register_batch(napi_env env, napi_value exports) {
  const napi_property_descriptor fns[] = {
    { "hmacSm3Many", NULL, hmac_sm3_many, NULL, NULL, NULL, napi_default, NULL },
    { "sm4SealMany", NULL, sm4_seal_many, NULL, NULL, NULL, napi_default, NULL },
  };
  return napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns) == napi_ok;
}
