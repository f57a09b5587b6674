// Memory-bound kernels for the wasm heap: transpose, broadcast binary ops, contiguous-axis sums
// and row gathers. All work on float32 row-major data and split large problems over the pool.
#pragma once
#include <cstdint>

namespace tirl {

constexpr int kMaxRank = 8;

// CopyA ignores b: a strided copy (slices).
enum class BinaryOp : int { Add = 0, Sub = 1, Mul = 2, Div = 3, SquaredDifference = 4, CopyA = 5 };

/** out = transpose(in, perm) for an input of `shape` (rank <= kMaxRank). */
void transpose(const float* in, float* out, const int* shape, const int* perm, int rank, int threads);

/**
 * out[idx] = op(a[idx · aStrides], b[idx · bStrides]) over `outShape`; a stride of 0 broadcasts
 * that axis. Strides are in elements.
 */
void binary(BinaryOp op, const float* a, const int64_t* aStrides, const float* b, const int64_t* bStrides,
            float* out, const int* outShape, int rank, int threads);

/** out[o, i] = sum_r in[o, r, i] for in viewed as [outer, reduce, inner]. */
void sumAxes(const float* in, float* out, int64_t outer, int64_t reduce, int64_t inner, int threads);

/** out[r, :] = table[ids[r], :] (rowSize columns); false when an id lies outside [0, rows). */
bool gatherRows(const float* table, int64_t rows, int64_t rowSize, const int32_t* ids, int64_t count, float* out, int threads);

}  // namespace tirl
