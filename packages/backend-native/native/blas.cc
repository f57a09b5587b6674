#include "blas.h"

#include <dlfcn.h>

#include <cstddef>

namespace tirl {
namespace {

// CBLAS enum values are fixed by the standard header.
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
using SetThreadsFn = void (*)(int);

SgemmFn gSgemm = nullptr;
SetThreadsFn gSetThreads = nullptr;
int gThreads = 0;

}  // namespace

std::string loadOpenBlas() {
  if (gSgemm) return "";
  const char* names[] = {"libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"};
  std::string errors;
  for (const char* name : names) {
    void* lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* err = dlerror();
      errors += (errors.empty() ? "" : "; ") + std::string(err ? err : name);
      continue;
    }
    gSgemm = reinterpret_cast<SgemmFn>(dlsym(lib, "cblas_sgemm"));
    gSetThreads = reinterpret_cast<SetThreadsFn>(dlsym(lib, "openblas_set_num_threads"));
    if (gSgemm) return "";
    errors += std::string("; ") + name + " has no cblas_sgemm";
  }
  return errors;
}

bool openBlasLoaded() { return gSgemm != nullptr; }

void gemmOpenBlas(const GemmProblem& p, int threads) {
  if (gSetThreads && threads != gThreads) {
    gSetThreads(threads);
    gThreads = threads;
  }
  const int lda = p.transA ? p.m : p.k, ldb = p.transB ? p.k : p.n;
  for (int i = 0; i < p.batch; ++i) {
    float* c = p.c + static_cast<size_t>(i) * p.m * p.n;
    gSgemm(kRowMajor, p.transA ? kTrans : kNoTrans, p.transB ? kTrans : kNoTrans, p.m, p.n, p.k, 1.0f,
           p.a + p.aOffsets[i], lda > 0 ? lda : 1, p.b + p.bOffsets[i], ldb > 0 ? ldb : 1, p.accumulateC ? 1.0f : 0.0f, c, p.n > 0 ? p.n : 1);
    if (p.epilogue.active() && !p.accumulateC) applyEpilogue(p.epilogue, c, p.m, p.n, 0, p.n);
  }
}

}  // namespace tirl
