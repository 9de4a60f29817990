/*
 * SM2 through the OpenSSL that Node itself links (3.x): sign/verify a 32-byte digest e = SM3(Z || M)
 * and public-key encryption. Z (which holds the signer's user ID) and e are computed in JavaScript
 * with Node's own SM3, because Node's crypto.sign() uses an empty user ID and offers no way to set it;
 * OpenSSL 3's SM2 signature provider signs a given digest directly when no digest is configured.
 *
 * Keys are opaque externals owning an EVP_PKEY and lazily made operation contexts. An external
 * belongs to the JavaScript thread that made it, so the contexts are never shared between threads;
 * OpenSSL's key and RNG are thread-safe. The module keeps no global state, so it loads in any number
 * of worker threads (NAPI_MODULE_INIT makes it context-aware).
 */
#include <stdio.h>
#include <stdlib.h>
#include <node_api.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "batch.h"
#include "memory.h"

typedef struct {
  EVP_PKEY *pkey;
  /* Made on first use and reused: fetching the provider's method per call is a measurable cost. */
  EVP_PKEY_CTX *sign_ctx, *verify_ctx, *encrypt_ctx, *decrypt_ctx;
} sm2_key;

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

/* Throws the first OpenSSL error (or the given text) and leaves the thread's error queue empty,
 * so Node's own crypto never sees our stale errors. */
static napi_value throw_ssl(napi_env env, const char *what) {
  char msg[256], ssl[200] = "";
  unsigned long e = ERR_peek_error();
  if (e) ERR_error_string_n(e, ssl, sizeof ssl);
  ERR_clear_error();
  snprintf(msg, sizeof msg, "SM2 %s failed%s%s", what, *ssl ? ": " : "", ssl);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static void free_key(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  sm2_key *k = data;
  EVP_PKEY_CTX_free(k->sign_ctx);
  EVP_PKEY_CTX_free(k->verify_ctx);
  EVP_PKEY_CTX_free(k->encrypt_ctx);
  EVP_PKEY_CTX_free(k->decrypt_ctx);
  EVP_PKEY_free(k->pkey);
  free(k);
}

static int get_bytes(napi_env env, napi_value v, const unsigned char **data, size_t *len) {
  bool is;
  void *p;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  size_t n;
  if (napi_get_typedarray_info(env, v, &type, &n, &p, NULL, NULL) != napi_ok || type != napi_uint8_array) return 0;
  *data = p;
  *len = n;
  return 1;
}

static sm2_key *get_key(napi_env env, napi_value v) {
  napi_valuetype t;
  void *p = NULL;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) return NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return p;
}

static napi_value make_buffer(napi_env env, const unsigned char *data, size_t len) {
  napi_value out;
  CHECK(napi_create_buffer_copy(env, len, data, NULL, &out));
  return out;
}

/* key(publicKey: 65 bytes 04||x||y, privateKey?: 32 bytes) -> External. OpenSSL checks the point is
 * on the curve. */
static napi_value make_key(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  const unsigned char *pub, *priv = NULL;
  size_t pub_len, priv_len = 0;
  if (argc < 1 || !get_bytes(env, argv[0], &pub, &pub_len) || pub_len != 65 || pub[0] != 4) {
    napi_throw_type_error(env, NULL, "SM2 public key must be 65 bytes 04||x||y");
    return NULL;
  }
  if (argc > 1 && (!get_bytes(env, argv[1], &priv, &priv_len) || priv_len != 32)) {
    napi_throw_type_error(env, NULL, "SM2 private key must be 32 bytes");
    return NULL;
  }
  EVP_PKEY *pkey = NULL;
  BIGNUM *d = priv ? BN_secure_new() : NULL;
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
  int ok = bld && ctx
    && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0)
    && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len)
    && (!priv || (d && BN_bin2bn(priv, 32, d) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)))
    && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL
    && EVP_PKEY_fromdata_init(ctx) > 0
    && EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) > 0;
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_clear_free(d);
  EVP_PKEY_CTX_free(ctx);
  if (!ok) {
    EVP_PKEY_free(pkey);
    return throw_ssl(env, "key import");
  }
  sm2_key *k = calloc(1, sizeof *k);
  napi_value out;
  if (!k || napi_create_external(env, k, free_key, NULL, &out) != napi_ok) {
    EVP_PKEY_free(pkey);
    free(k);
    napi_throw_error(env, NULL, "SM2 key: out of memory");
    return NULL;
  }
  k->pkey = pkey;
  return out;
}

typedef int (*op_init)(EVP_PKEY_CTX *);

static EVP_PKEY_CTX *op_ctx(sm2_key *k, EVP_PKEY_CTX **slot, op_init init) {
  if (!*slot) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    if (!ctx || init(ctx) <= 0) {
      EVP_PKEY_CTX_free(ctx);
      return NULL;
    }
    *slot = ctx;
  }
  return *slot;
}

/* Reads (key, bytes, bytes?) arguments shared by every operation. */
static int args(napi_env env, napi_callback_info info, size_t want, sm2_key **k,
                const unsigned char **a, size_t *a_len, const unsigned char **b, size_t *b_len) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc < want || !(*k = get_key(env, argv[0])) || !get_bytes(env, argv[1], a, a_len)
      || (want > 2 && !get_bytes(env, argv[2], b, b_len))) {
    napi_throw_type_error(env, NULL, "SM2: bad arguments");
    return 0;
  }
  return 1;
}

/* sign(key, e: 32 bytes) -> DER SEQUENCE { r, s } */
static napi_value sign(napi_env env, napi_callback_info info) {
  sm2_key *k;
  const unsigned char *e;
  size_t e_len;
  if (!args(env, info, 2, &k, &e, &e_len, NULL, NULL)) return NULL;
  unsigned char sig[80];
  size_t sig_len = sizeof sig;
  EVP_PKEY_CTX *ctx = op_ctx(k, &k->sign_ctx, EVP_PKEY_sign_init);
  if (e_len != 32 || !ctx || EVP_PKEY_sign(ctx, sig, &sig_len, e, e_len) <= 0) return throw_ssl(env, "sign");
  return make_buffer(env, sig, sig_len);
}

/* verify(key, e: 32 bytes, der) -> boolean; a malformed signature is simply false. */
static napi_value verify(napi_env env, napi_callback_info info) {
  sm2_key *k;
  const unsigned char *e, *sig;
  size_t e_len, sig_len;
  if (!args(env, info, 3, &k, &e, &e_len, &sig, &sig_len)) return NULL;
  EVP_PKEY_CTX *ctx = op_ctx(k, &k->verify_ctx, EVP_PKEY_verify_init);
  int r = ctx && e_len == 32 ? EVP_PKEY_verify(ctx, sig, sig_len, e, e_len) : 0;
  if (r != 1) ERR_clear_error();
  napi_value out;
  CHECK(napi_get_boolean(env, r == 1, &out));
  return out;
}

/* encrypt(key, plaintext) -> GM/T 0009 ASN.1 SEQUENCE { x, y, C3 hash, C2 ciphertext }, SM3 */
static napi_value encrypt(napi_env env, napi_callback_info info) {
  sm2_key *k;
  const unsigned char *in;
  size_t in_len, out_len = 0;
  if (!args(env, info, 2, &k, &in, &in_len, NULL, NULL)) return NULL;
  EVP_PKEY_CTX *ctx = op_ctx(k, &k->encrypt_ctx, EVP_PKEY_encrypt_init);
  if (!ctx || EVP_PKEY_encrypt(ctx, NULL, &out_len, in, in_len) <= 0) return throw_ssl(env, "encrypt");
  unsigned char *out = malloc(out_len);
  if (!out || EVP_PKEY_encrypt(ctx, out, &out_len, in, in_len) <= 0) {
    free(out);
    return throw_ssl(env, "encrypt");
  }
  napi_value buf = make_buffer(env, out, out_len);
  free(out);
  return buf;
}

/* decrypt(key, asn1Ciphertext) -> plaintext; throws when the ciphertext does not check. */
static napi_value decrypt(napi_env env, napi_callback_info info) {
  sm2_key *k;
  const unsigned char *in;
  size_t in_len, out_len = 0;
  if (!args(env, info, 2, &k, &in, &in_len, NULL, NULL)) return NULL;
  EVP_PKEY_CTX *ctx = op_ctx(k, &k->decrypt_ctx, EVP_PKEY_decrypt_init);
  if (!ctx || EVP_PKEY_decrypt(ctx, NULL, &out_len, in, in_len) <= 0) return throw_ssl(env, "decrypt");
  unsigned char *out = malloc(out_len ? out_len : 1);
  if (!out || EVP_PKEY_decrypt(ctx, out, &out_len, in, in_len) <= 0) {
    OPENSSL_cleanse(out, out_len);
    free(out);
    return throw_ssl(env, "decrypt");
  }
  napi_value buf = make_buffer(env, out, out_len);
  OPENSSL_cleanse(out, out_len);
  free(out);
  return buf;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor fns[] = {
    { "key", NULL, make_key, NULL, NULL, NULL, napi_default, NULL },
    { "sign", NULL, sign, NULL, NULL, NULL, napi_default, NULL },
    { "verify", NULL, verify, NULL, NULL, NULL, napi_default, NULL },
    { "encrypt", NULL, encrypt, NULL, NULL, NULL, napi_default, NULL },
    { "decrypt", NULL, decrypt, NULL, NULL, NULL, napi_default, NULL },
  };
  if (napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns) != napi_ok) return NULL;
  if (!register_batch(env, exports)) return NULL;
  if (!register_memory(env, exports)) return NULL;
  return exports;
}
