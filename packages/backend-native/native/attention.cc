#include "attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "pool.h"

// Hot loops are compiled for AVX2/FMA and for the baseline; the loader picks one per CPU (ifunc).
#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__)
#define TIRL_CLONES __attribute__((target_clones("avx2,fma", "default")))
#else
#define TIRL_CLONES
#endif

namespace tirl {
namespace {

TIRL_CLONES float dot(const float* a, const float* b, int n) {
  float acc[8] = {};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) acc[l] += a[i + l] * b[i + l];
  float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

TIRL_CLONES void axpy(float alpha, const float* x, float* y, int n) {
  for (int i = 0; i < n; ++i) y[i] += alpha * x[i];
}

// Scores of one query row into `row`; returns the number of keys considered (keys past the limit are skipped).
int scoreRow(const float* qr, const float* kBase, const float* valid, int limit, int s, int d, float* row, float* rowMax) {
  const int count = std::min(s, limit + 1);
  float m = -std::numeric_limits<float>::infinity();
  for (int j = 0; j < count; ++j) {
    if (valid[j] == 0.0f) {
      row[j] = -std::numeric_limits<float>::infinity();
      continue;
    }
    row[j] = dot(qr, kBase + static_cast<size_t>(j) * d, d);
    m = std::max(m, row[j]);
  }
  *rowMax = m;
  return count;
}

}  // namespace

void attentionForward(const float* q, const float* k, const float* v, const float* keyValid, const int32_t* queryLimit,
                      const AttentionShape& sh, float* out, float* lse, int threads) {
  const int G = sh.heads / sh.kvHeads;
  const int rows = sh.b * sh.heads * sh.tq;
  const int perTask = std::max(1, std::min(64, rows / std::max(1, threads * 4)));
  const int tasks = (rows + perTask - 1) / perTask;
  parallelFor(tasks, rows * static_cast<int64_t>(sh.s) * sh.d < 32768 ? 1 : threads, [&](int task) {
    std::vector<float> row(sh.s);
    for (int r = task * perTask; r < std::min(rows, (task + 1) * perTask); ++r) {
      const int t = r % sh.tq, h = (r / sh.tq) % sh.heads, b = r / (sh.tq * sh.heads);
      const float* qr = q + static_cast<size_t>(r) * sh.d;
      const size_t kvOffset = (static_cast<size_t>(b) * sh.kvHeads + h / G) * sh.s * sh.d;
      float* o = out + static_cast<size_t>(r) * sh.d;
      std::fill(o, o + sh.d, 0.0f);
      float m;
      const int count = scoreRow(qr, k + kvOffset, keyValid + static_cast<size_t>(b) * sh.s, queryLimit[t], sh.s, sh.d, row.data(), &m);
      if (m == -std::numeric_limits<float>::infinity()) {
        lse[r] = m;
        continue;
      }
      float sum = 0.0f;
      for (int j = 0; j < count; ++j) {
        const float p = std::exp(row[j] - m);  // exp(-inf) = 0 for masked keys
        if (p == 0.0f) continue;
        sum += p;
        axpy(p, v + kvOffset + static_cast<size_t>(j) * sh.d, o, sh.d);
      }
      const float inv = 1.0f / sum;
      for (int i = 0; i < sh.d; ++i) o[i] *= inv;
      lse[r] = m + std::log(sum);
    }
  });
}

void attentionBackward(const float* q, const float* k, const float* v, const float* keyValid, const int32_t* queryLimit,
                       const float* out, const float* lse, const float* dOut, const AttentionShape& sh, float* dq, float* dk,
                       float* dv, int threads) {
  const int G = sh.heads / sh.kvHeads;
  const int tasks = sh.b * sh.kvHeads;  // one task owns one kv head's dk, dv and its G query heads' dq
  parallelFor(tasks, tasks * static_cast<int64_t>(G) * sh.tq * sh.s * sh.d < 32768 ? 1 : threads, [&](int task) {
    const int b = task / sh.kvHeads, kvh = task % sh.kvHeads;
    const size_t kvOffset = static_cast<size_t>(task) * sh.s * sh.d;
    std::fill(dk + kvOffset, dk + kvOffset + static_cast<size_t>(sh.s) * sh.d, 0.0f);
    std::fill(dv + kvOffset, dv + kvOffset + static_cast<size_t>(sh.s) * sh.d, 0.0f);
    std::vector<float> row(sh.s);
    const float* valid = keyValid + static_cast<size_t>(b) * sh.s;
    for (int g = 0; g < G; ++g) {
      const int h = kvh * G + g;
      for (int t = 0; t < sh.tq; ++t) {
        const size_t r = (static_cast<size_t>(b) * sh.heads + h) * sh.tq + t;
        const float* qr = q + r * sh.d;
        const float* dor = dOut + r * sh.d;
        float* dqr = dq + r * sh.d;
        std::fill(dqr, dqr + sh.d, 0.0f);
        if (lse[r] == -std::numeric_limits<float>::infinity()) continue;
        float m;
        const int count = scoreRow(qr, k + kvOffset, valid, queryLimit[t], sh.s, sh.d, row.data(), &m);
        const float di = dot(dor, out + r * sh.d, sh.d);  // Σ_j p_j dp_j = dOut · out
        for (int j = 0; j < count; ++j) {
          const float p = std::exp(row[j] - lse[r]);
          if (p == 0.0f) continue;
          const float* kj = k + kvOffset + static_cast<size_t>(j) * sh.d;
          const float* vj = v + kvOffset + static_cast<size_t>(j) * sh.d;
          const float ds = p * (dot(dor, vj, sh.d) - di);
          axpy(ds, kj, dqr, sh.d);
          axpy(ds, qr, dk + kvOffset + static_cast<size_t>(j) * sh.d, sh.d);
          axpy(p, dor, dv + kvOffset + static_cast<size_t>(j) * sh.d, sh.d);
        }
      }
    }
  });
}

}  // namespace tirl
