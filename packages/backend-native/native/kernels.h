// Packing and 6x16 micro-kernels of the blocked GEMM. op(A) is M x K, op(B) is K x N; a matrix
// element (i, p) lives at base[i * rowStride + p * colStride], so transposes are just strides.
#pragma once
#include <cstddef>

namespace tirl {

constexpr int MR = 6;
constexpr int NR = 16;

struct StridedMatrix {
  const float* data;
  std::ptrdiff_t rowStride;
  std::ptrdiff_t colStride;
};

/** Copies rows [i0, i0+mc) x cols [p0, p0+kc) of A into MR-row strips, zero-padded. */
void packA(const StridedMatrix& a, int i0, int mc, int p0, int kc, float* out);
/** Copies rows [p0, p0+kc) x cols [j0, j0+nc) of B into NR-column strips, zero-padded. */
void packB(const StridedMatrix& b, int p0, int kc, int j0, int nc, float* out);

/** C[MR x NR] (row stride ldc) = (accumulate ? C : 0) + Ap * Bp over kc. */
using MicroKernel = void (*)(int kc, const float* ap, const float* bp, float* c, std::ptrdiff_t ldc, bool accumulate);

void microPortable(int kc, const float* ap, const float* bp, float* c, std::ptrdiff_t ldc, bool accumulate);
#if defined(__x86_64__) || defined(__i386__)
void microAvx2(int kc, const float* ap, const float* bp, float* c, std::ptrdiff_t ldc, bool accumulate);
#endif

/** The fastest kernel this CPU runs, and its name ("avx2-fma" or "portable"). */
MicroKernel bestMicroKernel(const char** name);

}  // namespace tirl
