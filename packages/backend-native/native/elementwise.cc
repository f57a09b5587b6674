#include "elementwise.h"

#include <algorithm>
#include <cstring>

#include "pool.h"

namespace tirl {
namespace {

// Below this many elements a kernel runs on the calling thread. These kernels are memory-bound:
// measured on a 2-core machine, waking the pool made a 128K-element add or transpose 1.5-4x
// slower, so only very large tensors are split.
constexpr int64_t kParallelMin = 1 << 22;

int chunksFor(int64_t work, int threads) {
  if (threads <= 1 || work < kParallelMin) return 1;
  return static_cast<int>(std::min<int64_t>(threads * 4, work / (kParallelMin / 4)));
}

// Calls body(begin, end) over [0, count) items of `perItem` elements each, in parallel when large.
template <typename F>
void splitItems(int64_t count, int64_t perItem, int threads, F&& body) {
  const int chunks = static_cast<int>(std::min<int64_t>(chunksFor(count * perItem, threads), count));
  if (chunks <= 1) {
    body(int64_t{0}, count);
    return;
  }
  parallelFor(chunks, threads, [&](int c) {
    const int64_t begin = count * c / chunks, end = count * (c + 1) / chunks;
    if (begin < end) body(begin, end);
  });
}

template <BinaryOp Op>
inline float apply(float x, float y) {
  if constexpr (Op == BinaryOp::Add) return x + y;
  if constexpr (Op == BinaryOp::Sub) return x - y;
  if constexpr (Op == BinaryOp::Mul) return x * y;
  if constexpr (Op == BinaryOp::Div) return x / y;
  if constexpr (Op == BinaryOp::SquaredDifference) return (x - y) * (x - y);
  if constexpr (Op == BinaryOp::CopyA) return x;
  return 0.0f;
}

// Innermost loop with the three stride cases specialised so the compiler vectorises them.
template <BinaryOp Op>
void row(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = apply<Op>(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float y = *b;
    for (int64_t i = 0; i < n; ++i) out[i] = apply<Op>(a[i], y);
  } else if (sa == 0 && sb == 1) {
    const float x = *a;
    for (int64_t i = 0; i < n; ++i) out[i] = apply<Op>(x, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = apply<Op>(a[i * sa], b[i * sb]);
  }
}

template <BinaryOp Op>
void binaryTyped(const float* a, const int64_t* aStrides, const float* b, const int64_t* bStrides, float* out,
                 const int* shape, int rank, int threads) {
  const int64_t inner = shape[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; ++d) rows *= shape[d];
  const int64_t sa = aStrides[rank - 1], sb = bStrides[rank - 1];
  splitItems(rows, inner, threads, [&](int64_t first, int64_t last) {
    for (int64_t r = first; r < last; ++r) {
      int64_t rest = r, offA = 0, offB = 0;
      for (int d = rank - 2; d >= 0; --d) {
        const int64_t idx = rest % shape[d];
        rest /= shape[d];
        offA += idx * aStrides[d];
        offB += idx * bStrides[d];
      }
      row<Op>(a + offA, sa, b + offB, sb, out + r * inner, inner);
    }
  });
}

}  // namespace

void binary(BinaryOp op, const float* a, const int64_t* aStrides, const float* b, const int64_t* bStrides, float* out,
            const int* outShape, int rank, int threads) {
  switch (op) {
    case BinaryOp::Add: return binaryTyped<BinaryOp::Add>(a, aStrides, b, bStrides, out, outShape, rank, threads);
    case BinaryOp::Sub: return binaryTyped<BinaryOp::Sub>(a, aStrides, b, bStrides, out, outShape, rank, threads);
    case BinaryOp::Mul: return binaryTyped<BinaryOp::Mul>(a, aStrides, b, bStrides, out, outShape, rank, threads);
    case BinaryOp::Div: return binaryTyped<BinaryOp::Div>(a, aStrides, b, bStrides, out, outShape, rank, threads);
    case BinaryOp::SquaredDifference:
      return binaryTyped<BinaryOp::SquaredDifference>(a, aStrides, b, bStrides, out, outShape, rank, threads);
    case BinaryOp::CopyA: return binaryTyped<BinaryOp::CopyA>(a, aStrides, b, bStrides, out, outShape, rank, threads);
  }
}

void transpose(const float* in, float* out, const int* shape, const int* perm, int rank, int threads) {
  // Merge output axes that are also adjacent (and in order) in the input: fewer, longer loops.
  int64_t inStrides[kMaxRank];
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    inStrides[d] = s;
    s *= shape[d];
  }
  const int64_t total = s;
  int64_t dims[kMaxRank], strides[kMaxRank];
  int r = 0;
  for (int d = 0; d < rank; ++d) {
    const int src = perm[d];
    if (shape[src] == 1) continue;
    if (r > 0 && strides[r - 1] == inStrides[src] * shape[src]) {
      dims[r - 1] *= shape[src];
      strides[r - 1] = inStrides[src];
    } else {
      dims[r] = shape[src];
      strides[r] = inStrides[src];
      ++r;
    }
  }
  if (r == 0) {
    dims[0] = 1;
    strides[0] = 1;
    r = 1;
  }
  if (total == 0) return;
  if (r == 1 && strides[0] == 1) {
    std::memcpy(out, in, sizeof(float) * total);
    return;
  }
  // A batched 2-D swap (the common case) is done in cache-sized tiles.
  if (r >= 2 && strides[r - 2] == 1) {
    const int64_t rowsOut = dims[r - 2], colsOut = dims[r - 1], colStride = strides[r - 1];
    int64_t batch = 1;
    for (int d = 0; d < r - 2; ++d) batch *= dims[d];
    constexpr int64_t kTile = 32;
    const int64_t tilesI = (rowsOut + kTile - 1) / kTile;
    const int64_t tasks = batch * tilesI;
    const int chunks = chunksFor(total, threads);
    auto body = [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t bIdx = t / tilesI, i0 = (t % tilesI) * kTile;
        int64_t rest = bIdx, off = 0;
        for (int d = r - 3; d >= 0; --d) {
          const int64_t idx = rest % dims[d];
          rest /= dims[d];
          off += idx * strides[d];
        }
        const float* src = in + off;
        float* dst = out + bIdx * rowsOut * colsOut;
        const int64_t i1 = std::min(i0 + kTile, rowsOut);
        for (int64_t j0 = 0; j0 < colsOut; j0 += kTile) {
          const int64_t j1 = std::min(j0 + kTile, colsOut);
          for (int64_t i = i0; i < i1; ++i)
            for (int64_t j = j0; j < j1; ++j) dst[i * colsOut + j] = src[i + j * colStride];
        }
      }
    };
    if (chunks <= 1) body(0, tasks);
    else parallelFor(chunks, threads, [&](int c) { body(tasks * c / chunks, tasks * (c + 1) / chunks); });
    return;
  }
  // General case: walk the output in order; the innermost loop reads with one stride.
  const int64_t inner = dims[r - 1], innerStride = strides[r - 1];
  const int64_t rows = total / inner;
  splitItems(rows, inner, threads, [&](int64_t r0, int64_t r1) {
    for (int64_t q = r0; q < r1; ++q) {
      int64_t rest = q, off = 0;
      for (int d = r - 2; d >= 0; --d) {
        const int64_t idx = rest % dims[d];
        rest /= dims[d];
        off += idx * strides[d];
      }
      const float* src = in + off;
      float* dst = out + q * inner;
      if (innerStride == 1) std::memcpy(dst, src, sizeof(float) * inner);
      else for (int64_t j = 0; j < inner; ++j) dst[j] = src[j * innerStride];
    }
  });
}

void sumAxes(const float* in, float* out, int64_t outer, int64_t reduce, int64_t inner, int threads) {
  if (inner == 1) {
    // Row sums: each output is one contiguous run. Eight partial sums let the loop vectorise.
    splitItems(outer, reduce, threads, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        const float* src = in + o * reduce;
        float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int64_t k = 0;
        for (; k + 8 <= reduce; k += 8)
          for (int l = 0; l < 8; ++l) acc[l] += src[k + l];
        float total = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
        for (; k < reduce; ++k) total += src[k];
        out[o] = total;
      }
    });
    return;
  }
  // Column sums: accumulate whole rows into the output block of each outer index.
  const int64_t work = outer * reduce * inner;
  const int chunks = chunksFor(work, threads);
  const int64_t colChunks = outer >= chunks ? 1 : std::max<int64_t>(1, std::min<int64_t>(chunks, inner / 64));
  const int64_t tasks = outer * colChunks;
  auto body = [&](int64_t t) {
    const int64_t o = t / colChunks, c = t % colChunks;
    const int64_t j0 = inner * c / colChunks, j1 = inner * (c + 1) / colChunks;
    float* dst = out + o * inner;
    for (int64_t j = j0; j < j1; ++j) dst[j] = 0.0f;
    for (int64_t k = 0; k < reduce; ++k) {
      const float* src = in + (o * reduce + k) * inner;
      for (int64_t j = j0; j < j1; ++j) dst[j] += src[j];
    }
  };
  if (chunks <= 1 || tasks == 1) {
    for (int64_t t = 0; t < tasks; ++t) body(t);
  } else {
    parallelFor(static_cast<int>(tasks), threads, [&](int t) { body(t); });
  }
}

bool gatherRows(const float* table, int64_t rows, int64_t rowSize, const int32_t* ids, int64_t count, float* out,
                int threads) {
  for (int64_t r = 0; r < count; ++r)
    if (ids[r] < 0 || ids[r] >= rows) return false;
  splitItems(count, rowSize, threads, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) std::memcpy(out + r * rowSize, table + ids[r] * rowSize, sizeof(float) * rowSize);
  });
  return true;
}

}  // namespace tirl
