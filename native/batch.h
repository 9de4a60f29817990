/* Batch HMAC-SM3 and SM4 sealing (batch.c), registered on the addon's exports by sm2.c. */
#ifndef ZZ_BATCH_H
#define ZZ_BATCH_H
#include <node_api.h>
int register_batch(napi_env env, napi_value exports);
#endif
