// Fused transformer kernels on row-major float32 data: LM head + log-softmax + gather (chunked over
// the vocabulary), embedding gradient, in-place Adam, RMSNorm, SwiGLU, rotary embeddings and
// causal attention (forward, backward, single-token decode). Each splits its rows over the pool.
#pragma once
#include <cstdint>

namespace tirl {

/**
 * Per row n of hidden [N, H] against weight [V, H]: z = hidden[n] · weightᵀ, lse[n] = log Σ exp z,
 * logp[n] = z[target[n]] - lse[n] (an out-of-range target picks 0), entropy[n] = lse[n] - Σ softmax(z) z.
 * The vocabulary is processed `chunk` columns at a time: nothing of size [N, V] is ever held.
 */
void lmHeadForward(const float* hidden, const float* weight, const int32_t* targets, int n, int h, int v, int chunk,
                   float* logp, float* lse, float* entropy, int threads);

/**
 * Gradient of the above given dLogp [N] and dEntropy [N] (may be null): recomputes each logit chunk,
 * dz = dLogp (onehot - p) - dEntropy p (z - lse + entropy), then dHidden = Σ dz · W_c (written, not
 * accumulated) and dWeight[c] = dzᵀ · hidden.
 */
void lmHeadBackward(const float* hidden, const float* weight, const int32_t* targets, const float* lse, const float* entropy,
                    const float* dLogp, const float* dEntropy, int n, int h, int v, int chunk, float* dHidden, float* dWeight,
                    int threads);

/**
 * out [rows, width] = 0 (unless `accumulate`: out keeps its values), then out[ids[i]] += dy[i] for i < count
 * (ids outside [0, rows) are skipped).
 */
void scatterAddRows(const float* dy, const int32_t* ids, int64_t count, int64_t rows, int64_t width, float* out, bool accumulate,
                    int threads);

/**
 * In-place Adam (Kingma & Ba, Algorithm 1): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²;
 * w -= lr (m / c1) / (sqrt(v / c2) + eps) with c1 = 1 - b1^t, c2 = 1 - b2^t; weightDecay > 0 adds
 * decoupled decay w -= lr wd w (AdamW).
 */
void adamUpdate(float* w, const float* g, float* m, float* v, int64_t size, float lr, float b1, float b2, float eps,
                float c1, float c2, float weightDecay, int threads);

/** y = x / sqrt(mean(x²) + eps) * weight over rows of `width`; rstd [rows] saved for the backward. */
void rmsNormForward(const float* x, const float* weight, int64_t rows, int width, float eps, float* y, float* rstd, int threads);
/** dx and dWeight (written) of the above. */
void rmsNormBackward(const float* x, const float* weight, const float* rstd, const float* dy, int64_t rows, int width, float* dx,
                     float* dWeight, int threads);

/** y = silu(gate) * up, elementwise. */
void swigluForward(const float* gate, const float* up, int64_t size, float* y, int threads);
/** dGate, dUp of the above. */
void swigluBackward(const float* gate, const float* up, const float* dy, int64_t size, float* dGate, float* dUp, int threads);

/**
 * Rotary embedding on x [N, heads, D] (HF rotate_half convention) with cos/sin [N, D]:
 * y = x cos + rotate_half(x) sin, i.e. each pair (x[j], x[j + D/2]) turned by its angle. `inverse` turns by
 * minus the angle (sin negated): the transpose, so it is also the gradient.
 */
void rope(const float* x, const float* cos, const float* sin, int64_t n, int heads, int d, bool inverse, float* y, int threads);

}  // namespace tirl
