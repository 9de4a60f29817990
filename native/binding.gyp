{
  # Lives in native/, not the package root, so npm does not run node-gyp on its own:
  # scripts/build-native.mjs builds it and tolerates failure (SM2 then runs in JavaScript).
  "targets": [
    {
      "target_name": "zz_sm2",
      "sources": ["sm2.c", "batch.c", "memory.c"],
      # OpenSSL comes from the Node binary itself (its symbols are exported); the headers are the
      # ones shipped with Node's headers, so they match the OpenSSL that actually runs.
      "defines": ["NAPI_VERSION=8", "OPENSSL_API_COMPAT=30000", "OPENSSL_NO_DEPRECATED"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
