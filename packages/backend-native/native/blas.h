// Optional OpenBLAS, loaded with dlopen so the addon neither links nor requires it.
#pragma once
#include <string>

#include "gemm.h"

namespace tirl {

/** Loads libopenblas; returns "" on success or why it could not. */
std::string loadOpenBlas();
bool openBlasLoaded();
/** Runs the problem with cblas_sgemm, one batch at a time, then the epilogue. */
void gemmOpenBlas(const GemmProblem& problem, int threads);

}  // namespace tirl
