{
  "targets": [
    {
      "target_name": "tirl_gemm",
      "sources": ["native/addon.cc", "native/gemm.cc", "native/kernels.cc", "native/pool.cc", "native/blas.cc", "native/elementwise.cc", "native/fused.cc", "native/attention.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldl", "-lpthread"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"] }
    }
  ]
}
