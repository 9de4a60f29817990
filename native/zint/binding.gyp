{
  # Built by scripts/build-native.mjs only where Debian's libzint-dev is installed (zint.h present);
  # without it Grid Matrix answers "not provided", naming the missing library.
  "targets": [
    {
      "target_name": "zz_zint",
      "sources": ["zint.c"],
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-lzint"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
