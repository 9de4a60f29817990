/* Giving freed heap memory back to the system (memory.c), registered on the addon's exports by sm2.c. */
#ifndef ZZ_MEMORY_H
#define ZZ_MEMORY_H
#include <node_api.h>
int register_memory(napi_env env, napi_value exports);
#endif
