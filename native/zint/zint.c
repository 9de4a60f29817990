// Grid Matrix (GB/T 27766) through libzint: the encoder Debian ships (zint 2.11), the only maintained
// free implementation in C. Answers the symbol's modules; the caller draws them (src/core/grid-matrix.ts).
#include <node_api.h>
#include <string.h>
#include <zint.h>

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, #call " failed"); return NULL; } } while (0)

// gridMatrix(data: Buffer, eccLevel: number (0 = default, 1-5), version: number (0 = smallest, 1-13))
//   -> { rows, width, modules: Buffer (rows * width bytes, 1 = dark) }
static napi_value grid_matrix(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) { napi_throw_type_error(env, NULL, "gridMatrix(data, eccLevel, version)"); return NULL; }
  void *data = NULL;
  size_t length = 0;
  bool is_buffer = false;
  CHECK(napi_is_buffer(env, argv[0], &is_buffer));
  if (!is_buffer) { napi_throw_type_error(env, NULL, "data must be a Buffer"); return NULL; }
  CHECK(napi_get_buffer_info(env, argv[0], &data, &length));
  int32_t ecc = 0, version = 0;
  CHECK(napi_get_value_int32(env, argv[1], &ecc));
  CHECK(napi_get_value_int32(env, argv[2], &version));

  struct zint_symbol *symbol = ZBarcode_Create();
  if (!symbol) { napi_throw_error(env, NULL, "out of memory"); return NULL; }
  symbol->symbology = BARCODE_GRIDMATRIX;
  symbol->input_mode = UNICODE_MODE;
  symbol->option_1 = ecc;
  symbol->option_2 = version;
  int rc = ZBarcode_Encode(symbol, (const unsigned char *) data, (int) length);
  if (rc >= ZINT_ERROR) {
    char message[sizeof symbol->errtxt + 16];
    snprintf(message, sizeof message, "zint: %s", symbol->errtxt);
    ZBarcode_Delete(symbol);
    napi_throw_range_error(env, "ZINT_ERROR", message);
    return NULL;
  }
  int rows = symbol->rows, width = symbol->width;
  napi_value result, modules, v;
  void *out = NULL;
  if (napi_create_buffer(env, (size_t) rows * (size_t) width, &out, &modules) != napi_ok) { ZBarcode_Delete(symbol); return NULL; }
  unsigned char *m = out;
  for (int y = 0; y < rows; y++)
    for (int x = 0; x < width; x++) m[y * width + x] = (symbol->encoded_data[y][x >> 3] >> (x & 7)) & 1;
  ZBarcode_Delete(symbol);
  CHECK(napi_create_object(env, &result));
  CHECK(napi_create_int32(env, rows, &v));
  CHECK(napi_set_named_property(env, result, "rows", v));
  CHECK(napi_create_int32(env, width, &v));
  CHECK(napi_set_named_property(env, result, "width", v));
  CHECK(napi_set_named_property(env, result, "modules", modules));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  CHECK(napi_create_function(env, "gridMatrix", NAPI_AUTO_LENGTH, grid_matrix, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "gridMatrix", fn));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
