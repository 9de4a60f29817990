/*
 * trimMemory(): glibc keeps what threads freed in their malloc arenas. Worker threads that signed
 * an import or made layout files leave tens of megabytes there after they exit (60 MB after the
 * demo's seeding), which the node's resident size then carries for its whole life. malloc_trim(0)
 * returns the free pages to the system. Elsewhere than glibc it does nothing and answers false.
 */
#include "memory.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static napi_value trim_memory(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
#if defined(__GLIBC__)
  napi_get_boolean(env, malloc_trim(0) != 0, &result);
#else
  napi_get_boolean(env, false, &result);
#endif
  return result;
}

int register_memory(napi_env env, napi_value exports) {
  const napi_property_descriptor fns[] = {
    { "trimMemory", NULL, trim_memory, NULL, NULL, NULL, napi_default, NULL },
  };
  return napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns) == napi_ok;
}
