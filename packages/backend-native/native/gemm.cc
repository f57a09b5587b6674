#include "gemm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"
#include "pool.h"

namespace tirl {
namespace {

constexpr int KC = 256;
constexpr int MC_MAX = 120;  // multiple of MR
constexpr int NC_MAX = 512;  // multiple of NR

const char* gKernelName = nullptr;
MicroKernel gMicro = nullptr;

MicroKernel micro() {
  if (!gMicro) gMicro = bestMicroKernel(&gKernelName);
  return gMicro;
}

int roundUp(int x, int to) { return (x + to - 1) / to * to; }
int ceilDiv(int x, int y) { return (x + y - 1) / y; }

struct Split {
  int blocksM, blocksN, mc, nc;
};

// Even block sizes, and enough tasks to keep every thread busy when the problem is big enough.
Split plan(const GemmProblem& p, int threads) {
  int bm = ceilDiv(p.m, MC_MAX), bn = ceilDiv(p.n, NC_MAX);
  const double flops = 2.0 * p.batch * p.m * p.n * p.k;
  const int wanted = flops < 2e5 ? 1 : 2 * threads;
  while (p.batch * bm * bn < wanted) {
    const bool canM = roundUp(ceilDiv(p.m, bm + 1), MR) < roundUp(ceilDiv(p.m, bm), MR) && ceilDiv(p.m, bm) > 2 * MR;
    const bool canN = roundUp(ceilDiv(p.n, bn + 1), NR) < roundUp(ceilDiv(p.n, bn), NR) && ceilDiv(p.n, bn) > 2 * NR;
    if (canM && (!canN || ceilDiv(p.m, bm) >= ceilDiv(p.n, bn))) ++bm;
    else if (canN) ++bn;
    else break;
  }
  const int mc = roundUp(ceilDiv(p.m, bm), MR), nc = roundUp(ceilDiv(p.n, bn), NR);
  return {ceilDiv(p.m, mc), ceilDiv(p.n, nc), mc, nc};
}

struct Scratch {
  std::vector<float> a, b;
  float* aBuf(size_t n) { if (a.size() < n) a.resize(n); return a.data(); }
  float* bBuf(size_t n) { if (b.size() < n) b.resize(n); return b.data(); }
};

thread_local Scratch tScratch;

void runBlock(const GemmProblem& p, int batchIndex, int i0, int mc, int j0, int nc) {
  const MicroKernel kernel = micro();
  const StridedMatrix a{p.a + p.aOffsets[batchIndex], p.transA ? 1 : p.k, p.transA ? p.m : 1};
  const StridedMatrix b{p.b + p.bOffsets[batchIndex], p.transB ? 1 : p.n, p.transB ? p.k : 1};
  float* c = p.c + static_cast<size_t>(batchIndex) * p.m * p.n;
  const int kcMax = std::min(KC, p.k);
  float* ap = tScratch.aBuf(static_cast<size_t>(roundUp(mc, MR)) * kcMax);
  float* bp = tScratch.bBuf(static_cast<size_t>(roundUp(nc, NR)) * kcMax);
  float edge[MR * NR];
  for (int p0 = 0; p0 < p.k; p0 += KC) {
    const int kc = std::min(KC, p.k - p0);
    const bool accumulate = p0 > 0 || p.accumulateC;
    packB(b, p0, kc, j0, nc, bp);
    packA(a, i0, mc, p0, kc, ap);
    for (int jr = 0; jr < nc; jr += NR) {
      const int cols = std::min(NR, nc - jr);
      for (int ir = 0; ir < mc; ir += MR) {
        const int rows = std::min(MR, mc - ir);
        float* out = c + static_cast<size_t>(i0 + ir) * p.n + j0 + jr;
        const float* aStrip = ap + static_cast<size_t>(ir) * kc;
        const float* bStrip = bp + static_cast<size_t>(jr) * kc;
        if (rows == MR && cols == NR) {
          kernel(kc, aStrip, bStrip, out, p.n, accumulate);
          continue;
        }
        kernel(kc, aStrip, bStrip, edge, NR, false);
        for (int r = 0; r < rows; ++r)
          for (int j = 0; j < cols; ++j) out[r * p.n + j] = (accumulate ? out[r * p.n + j] : 0.0f) + edge[r * NR + j];
      }
    }
  }
  if (p.k == 0 && !p.accumulateC)
    for (int r = 0; r < mc; ++r) std::fill(c + static_cast<size_t>(i0 + r) * p.n + j0, c + static_cast<size_t>(i0 + r) * p.n + j0 + nc, 0.0f);
  if (p.epilogue.active() && !p.accumulateC) applyEpilogue(p.epilogue, c + static_cast<size_t>(i0) * p.n + j0, mc, nc, j0, p.n);
}

}  // namespace

const char* kernelName() {
  micro();
  return gKernelName;
}

void applyEpilogue(const Epilogue& e, float* c, int rows, int cols, int colOffset, int ldc) {
  for (int r = 0; r < rows; ++r) {
    float* row = c + static_cast<size_t>(r) * ldc;
    for (int j = 0; j < cols; ++j) {
      float v = row[j];
      if (e.biasMode == BiasMode::Scalar) v += e.bias[0];
      else if (e.biasMode == BiasMode::PerColumn) v += e.bias[colOffset + j];
      switch (e.activation) {
        case Activation::Linear: break;
        case Activation::Relu: v = v > 0.0f ? v : 0.0f; break;
        case Activation::Relu6: v = std::min(std::max(v, 0.0f), 6.0f); break;
        case Activation::LeakyRelu: v = v > 0.0f ? v : e.alpha * v; break;
        case Activation::Sigmoid: v = 1.0f / (1.0f + std::exp(-v)); break;
        case Activation::Elu: v = v > 0.0f ? v : std::expm1(v); break;
      }
      row[j] = v;
    }
  }
}

void gemmBlocked(const GemmProblem& p, int threads) {
  if (p.batch == 0 || p.m == 0 || p.n == 0) return;
  const Split s = plan(p, threads);
  const int perBatch = s.blocksM * s.blocksN;
  parallelFor(p.batch * perBatch, threads, [&](int task) {
    const int batchIndex = task / perBatch, inBatch = task % perBatch;
    const int i0 = (inBatch / s.blocksN) * s.mc, j0 = (inBatch % s.blocksN) * s.nc;
    runBlock(p, batchIndex, i0, std::min(s.mc, p.m - i0), j0, std::min(s.nc, p.n - j0));
  });
}

}  // namespace tirl
