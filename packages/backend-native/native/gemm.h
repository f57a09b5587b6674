// Batched C[b] = epilogue(op(A[aOffset[b]]) * op(B[bOffset[b]])) for row-major float32 matrices.
#pragma once
#include <cstdint>

namespace tirl {

enum class Activation : int { Linear = 0, Relu = 1, Relu6 = 2, LeakyRelu = 3, Sigmoid = 4, Elu = 5 };
enum class BiasMode : int { None = 0, Scalar = 1, PerColumn = 2 };

struct Epilogue {
  const float* bias = nullptr;
  BiasMode biasMode = BiasMode::None;
  Activation activation = Activation::Linear;
  float alpha = 0.0f;  // leaky-relu slope
  bool active() const { return biasMode != BiasMode::None || activation != Activation::Linear; }
};

struct GemmProblem {
  const float* a;
  const float* b;
  float* c;
  const int32_t* aOffsets;  // element offset of each batch's A, `batch` entries
  const int32_t* bOffsets;
  int batch, m, n, k;
  bool transA, transB;
  Epilogue epilogue;
  bool accumulateC = false;  // C += op(A) op(B) instead of C = ... (epilogue not applied)
};

/** Runs the problem on `threads` threads with the built-in kernel. */
void gemmBlocked(const GemmProblem& problem, int threads);
/** Applies bias and activation to rows [0, rows) of an m x n block with row stride ldc. */
void applyEpilogue(const Epilogue& e, float* c, int rows, int cols, int colOffset, int ldc);
/** Name of the micro-kernel in use ("avx2-fma" or "portable"). */
const char* kernelName();

}  // namespace tirl
