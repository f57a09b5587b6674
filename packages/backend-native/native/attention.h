// Causal softmax attention straight from q, k, v and a compact mask, without a [B, H, Tq, S] tensor:
// each (batch, head, query) row computes its scores into a scratch row of S floats.
#pragma once
#include <cstdint>

namespace tirl {

struct AttentionShape {
  int b, heads, kvHeads, tq, s, d;  // query head h reads kv head h / (heads / kvHeads)
};

/**
 * out[b,h,t] = Σ_j softmax_j(q[b,h,t] · k[b,h/G,j]) v[b,h/G,j] over the keys j with keyValid[b,j] != 0
 * and j <= queryLimit[t] (q is already scaled); lse[b,h,t] = log Σ_j exp(score_j). A query with no
 * allowed key gets out = 0 and lse = -inf.
 */
void attentionForward(const float* q, const float* k, const float* v, const float* keyValid, const int32_t* queryLimit,
                      const AttentionShape& shape, float* out, float* lse, int threads);

/** dq, dk, dv (written) of the above given dOut, the forward's out and lse. */
void attentionBackward(const float* q, const float* k, const float* v, const float* keyValid, const int32_t* queryLimit,
                       const float* out, const float* lse, const float* dOut, const AttentionShape& shape, float* dq, float* dk,
                       float* dv, int threads);

}  // namespace tirl
