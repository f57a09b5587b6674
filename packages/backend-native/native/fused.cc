#include "fused.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "gemm.h"
#include "pool.h"

namespace tirl {
namespace {

int ceilDiv64(int64_t x, int64_t y) { return static_cast<int>((x + y - 1) / y); }

// Splits [0, size) into blocks of at least `grain` and runs fn(begin, end) on the pool.
template <typename Fn>
void forRanges(int64_t size, int64_t grain, int threads, Fn fn) {
  if (size <= 0) return;
  const int blocks = std::max(1, std::min(threads * 4, ceilDiv64(size, grain)));
  const int64_t per = (size + blocks - 1) / blocks;
  parallelFor(blocks, blocks == 1 ? 1 : threads, [&](int b) {
    const int64_t begin = b * per, end = std::min(size, begin + per);
    if (begin < end) fn(begin, end);
  });
}

// c[m, n] (= or +=) a[m, k] · b (b is [n, k] when transB, else [k, n]); a is [k, m] when transA.
void matmul(const float* a, const float* b, float* c, int m, int n, int k, bool transA, bool transB, bool accumulate, int threads) {
  static const int32_t zero = 0;
  GemmProblem p{};
  p.a = a;
  p.b = b;
  p.c = c;
  p.aOffsets = &zero;
  p.bOffsets = &zero;
  p.batch = 1;
  p.m = m;
  p.n = n;
  p.k = k;
  p.transA = transA;
  p.transB = transB;
  p.accumulateC = accumulate;
  gemmBlocked(p, threads);
}

}  // namespace

void lmHeadForward(const float* hidden, const float* weight, const int32_t* targets, int n, int h, int v, int chunk,
                   float* logp, float* lse, float* entropy, int threads) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> z(static_cast<size_t>(n) * std::min(chunk, v));
  // Running max, Σ exp(z - max), Σ exp(z - max) z and the target's logit, per row.
  std::vector<float> mx(n, -inf), s(n, 0.0f), t(n, 0.0f), picked(n, 0.0f);
  for (int c0 = 0; c0 < v; c0 += chunk) {
    const int cols = std::min(chunk, v - c0);
    matmul(hidden, weight + static_cast<size_t>(c0) * h, z.data(), n, cols, h, false, true, false, threads);
    forRanges(n, 16, threads, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const float* row = z.data() + r * cols;
        float m = mx[r];
        for (int j = 0; j < cols; ++j) m = std::max(m, row[j]);
        const float scale = std::exp(mx[r] - m);  // 0 on the first chunk (mx = -inf)
        float sum = 0.0f, dot = 0.0f;
        for (int j = 0; j < cols; ++j) {
          const float e = std::exp(row[j] - m);
          sum += e;
          dot += e * row[j];
        }
        s[r] = s[r] * scale + sum;
        t[r] = t[r] * scale + dot;
        mx[r] = m;
        const int target = targets[r] - c0;
        if (target >= 0 && target < cols) picked[r] = row[target];
      }
    });
  }
  for (int r = 0; r < n; ++r) {
    lse[r] = mx[r] + std::log(s[r]);
    logp[r] = picked[r] - lse[r];
    entropy[r] = lse[r] - t[r] / s[r];
  }
}

void lmHeadBackward(const float* hidden, const float* weight, const int32_t* targets, const float* lse, const float* entropy,
                    const float* dLogp, const float* dEntropy, int n, int h, int v, int chunk, float* dHidden, float* dWeight,
                    int threads) {
  std::vector<float> z(static_cast<size_t>(n) * std::min(chunk, v));
  for (int c0 = 0; c0 < v; c0 += chunk) {
    const int cols = std::min(chunk, v - c0);
    const float* w = weight + static_cast<size_t>(c0) * h;
    matmul(hidden, w, z.data(), n, cols, h, false, true, false, threads);
    forRanges(n, 16, threads, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        float* row = z.data() + r * cols;
        const float g = dLogp[r], ge = dEntropy ? dEntropy[r] : 0.0f, l = lse[r], hr = entropy[r];
        for (int j = 0; j < cols; ++j) {
          const float p = std::exp(row[j] - l);
          // d logp / dz = onehot - p;  d entropy / dz = -p (log p + entropy), log p = z - lse.
          row[j] = -g * p - ge * p * (row[j] - l + hr);
        }
        const int target = targets[r] - c0;
        if (target >= 0 && target < cols) row[target] += g;
      }
    });
    matmul(z.data(), w, dHidden, n, h, cols, false, false, c0 > 0, threads);
    matmul(z.data(), hidden, dWeight + static_cast<size_t>(c0) * h, cols, h, n, true, false, false, threads);
  }
  if (v == 0) std::fill(dHidden, dHidden + static_cast<size_t>(n) * h, 0.0f);
}

void scatterAddRows(const float* dy, const int32_t* ids, int64_t count, int64_t rows, int64_t width, float* out, bool accumulate,
                    int threads) {
  // Split by output column blocks so no two threads add into the same element.
  const int64_t grain = 64;
  forRanges(width, grain, threads, [&](int64_t c0, int64_t c1) {
    if (!accumulate)
      for (int64_t r = 0; r < rows; ++r) std::fill(out + r * width + c0, out + r * width + c1, 0.0f);
    for (int64_t i = 0; i < count; ++i) {
      const int64_t id = ids[i];
      if (id < 0 || id >= rows) continue;
      const float* src = dy + i * width;
      float* dst = out + id * width;
      for (int64_t c = c0; c < c1; ++c) dst[c] += src[c];
    }
  });
}

void adamUpdate(float* w, const float* g, float* m, float* v, int64_t size, float lr, float b1, float b2, float eps,
                float c1, float c2, float weightDecay, int threads) {
  const float stepSize = lr / c1, rc2 = 1.0f / std::sqrt(c2);
  forRanges(size, 1 << 15, threads, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const float gi = g[i];
      const float mi = b1 * m[i] + (1.0f - b1) * gi;
      const float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      float wi = w[i];
      if (weightDecay > 0.0f) wi -= lr * weightDecay * wi;
      w[i] = wi - stepSize * mi / (std::sqrt(vi) * rc2 + eps);
    }
  });
}

void rmsNormForward(const float* x, const float* weight, int64_t rows, int width, float eps, float* y, float* rstd, int threads) {
  forRanges(rows, 8, threads, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = x + r * width;
      float ss = 0.0f;
      for (int j = 0; j < width; ++j) ss += xr[j] * xr[j];
      const float inv = 1.0f / std::sqrt(ss / width + eps);
      rstd[r] = inv;
      float* yr = y + r * width;
      for (int j = 0; j < width; ++j) yr[j] = xr[j] * inv * weight[j];
    }
  });
}

void rmsNormBackward(const float* x, const float* weight, const float* rstd, const float* dy, int64_t rows, int width, float* dx,
                     float* dWeight, int threads) {
  // dx = rstd (dy w) - x rstd³ mean(dy w x);  dWeight = Σ_rows dy x rstd (per-block partials, then summed).
  const int blocks = std::max(1, std::min<int>(threads * 4, ceilDiv64(rows, 8)));
  std::vector<float> partial(static_cast<size_t>(blocks) * width, 0.0f);
  const int64_t per = (rows + blocks - 1) / blocks;
  parallelFor(blocks, blocks == 1 ? 1 : threads, [&](int b) {
    float* dw = partial.data() + static_cast<size_t>(b) * width;
    for (int64_t r = b * per; r < std::min(rows, (b + 1) * per); ++r) {
      const float* xr = x + r * width;
      const float* gr = dy + r * width;
      const float inv = rstd[r];
      float dot = 0.0f;
      for (int j = 0; j < width; ++j) {
        dot += gr[j] * weight[j] * xr[j];
        dw[j] += gr[j] * xr[j] * inv;
      }
      const float k = inv * inv * inv * dot / width;
      float* dr = dx + r * width;
      for (int j = 0; j < width; ++j) dr[j] = inv * gr[j] * weight[j] - k * xr[j];
    }
  });
  for (int j = 0; j < width; ++j) {
    float sum = 0.0f;
    for (int b = 0; b < blocks; ++b) sum += partial[static_cast<size_t>(b) * width + j];
    dWeight[j] = sum;
  }
}

void swigluForward(const float* gate, const float* up, int64_t size, float* y, int threads) {
  forRanges(size, 1 << 14, threads, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const float gi = gate[i];
      y[i] = gi / (1.0f + std::exp(-gi)) * up[i];
    }
  });
}

void swigluBackward(const float* gate, const float* up, const float* dy, int64_t size, float* dGate, float* dUp, int threads) {
  forRanges(size, 1 << 14, threads, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const float gi = gate[i];
      const float sig = 1.0f / (1.0f + std::exp(-gi));
      const float silu = gi * sig;
      dUp[i] = dy[i] * silu;
      // d silu / d g = sig (1 + g (1 - sig))
      dGate[i] = dy[i] * up[i] * sig * (1.0f + gi * (1.0f - sig));
    }
  });
}

void rope(const float* x, const float* cos, const float* sin, int64_t n, int heads, int d, bool inverse, float* y, int threads) {
  const int half = d / 2;
  const float sign = inverse ? -1.0f : 1.0f;
  forRanges(n, 16, threads, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* c = cos + r * d;
      const float* s = sin + r * d;
      for (int hd = 0; hd < heads; ++hd) {
        const float* xr = x + (r * heads + hd) * d;
        float* yr = y + (r * heads + hd) * d;
        for (int j = 0; j < half; ++j) {
          const float x1 = xr[j], x2 = xr[j + half];
          yr[j] = x1 * c[j] - sign * x2 * s[j];
          yr[j + half] = x2 * c[j + half] + sign * x1 * s[j + half];
        }
      }
    }
  });
}

}  // namespace tirl
