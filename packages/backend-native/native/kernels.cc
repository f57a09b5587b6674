#include "kernels.h"

#include <cstring>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace tirl {

void packA(const StridedMatrix& a, int i0, int mc, int p0, int kc, float* out) {
  for (int ir = 0; ir < mc; ir += MR) {
    const int rows = mc - ir < MR ? mc - ir : MR;
    for (int p = 0; p < kc; ++p) {
      const float* col = a.data + (p0 + p) * a.colStride + (i0 + ir) * a.rowStride;
      int r = 0;
      for (; r < rows; ++r) out[r] = col[r * a.rowStride];
      for (; r < MR; ++r) out[r] = 0.0f;
      out += MR;
    }
  }
}

void packB(const StridedMatrix& b, int p0, int kc, int j0, int nc, float* out) {
  for (int jr = 0; jr < nc; jr += NR) {
    const int cols = nc - jr < NR ? nc - jr : NR;
    for (int p = 0; p < kc; ++p) {
      const float* row = b.data + (p0 + p) * b.rowStride + (j0 + jr) * b.colStride;
      int c = 0;
      if (b.colStride == 1 && cols == NR) {
        std::memcpy(out, row, NR * sizeof(float));
      } else {
        for (; c < cols; ++c) out[c] = row[c * b.colStride];
        for (; c < NR; ++c) out[c] = 0.0f;
      }
      out += NR;
    }
  }
}

void microPortable(int kc, const float* ap, const float* bp, float* c, std::ptrdiff_t ldc, bool accumulate) {
  float acc[MR][NR] = {};
  for (int p = 0; p < kc; ++p) {
    for (int r = 0; r < MR; ++r) {
      const float av = ap[r];
      for (int j = 0; j < NR; ++j) acc[r][j] += av * bp[j];
    }
    ap += MR;
    bp += NR;
  }
  for (int r = 0; r < MR; ++r) {
    float* row = c + r * ldc;
    if (accumulate) {
      for (int j = 0; j < NR; ++j) row[j] += acc[r][j];
    } else {
      for (int j = 0; j < NR; ++j) row[j] = acc[r][j];
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2,fma"))) void microAvx2(int kc, const float* ap, const float* bp, float* c,
                                                   std::ptrdiff_t ldc, bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_loadu_ps(bp);
    const __m256 b1 = _mm256_loadu_ps(bp + 8);
    __m256 a;
    a = _mm256_broadcast_ss(ap + 0); c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(ap + 1); c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(ap + 2); c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(ap + 3); c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(ap + 4); c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(ap + 5); c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
    ap += MR;
    bp += NR;
  }
  const __m256 rows[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  for (int r = 0; r < MR; ++r) {
    float* row = c + r * ldc;
    __m256 lo = rows[r][0], hi = rows[r][1];
    if (accumulate) {
      lo = _mm256_add_ps(lo, _mm256_loadu_ps(row));
      hi = _mm256_add_ps(hi, _mm256_loadu_ps(row + 8));
    }
    _mm256_storeu_ps(row, lo);
    _mm256_storeu_ps(row + 8, hi);
  }
}
#endif

MicroKernel bestMicroKernel(const char** name) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    *name = "avx2-fma";
    return microAvx2;
  }
#endif
  *name = "portable";
  return microPortable;
}

}  // namespace tirl
