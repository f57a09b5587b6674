import * as tf from '@tensorflow/tfjs-core';
import { matMul, swapLastAxes } from '../ops';
import { FUSED_KERNELS, hasKernel, runKernel, withGrad } from './names';

/** Which keys each query sees: key j of row b when `keyValid[b][j]` and `j <= queryLimit[t]`. */
export interface AttentionMask {
  /** `[B, S]` float32, 1 for a real key and 0 for padding. */
  keyValid: tf.Tensor2D;
  /** `[Tq]` int32: the last key column query t may see. */
  queryLimit: tf.Tensor1D;
  /** `[B, 1, G·Tq, S]` additive bias (0 or -1e9) for the composite path, built on first use. */
  bias: () => tf.Tensor4D;
}

/**
 * Softmax attention `softmax(q kᵀ + mask) v` with grouped kv heads (query head h reads kv head h / G).
 * Where the backend has the fused kernels, neither the forward nor the backward holds the `[B, H, Tq, S]`
 * scores or probabilities (FlashAttention-2's recomputation, Dao, arXiv:2307.08691, Algorithm 2, one
 * query row at a time); otherwise stock matmuls and softmax over the additive bias. A query that sees no
 * key gets zeros from the kernel (the composite path spreads it over all keys; such rows are padding).
 * @param q `[B, H, Tq, D]`, already scaled by 1/sqrt(D); @param k, v `[B, Hkv, S, D]`. Returns `[B, H, Tq, D]`.
 */
export function attention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: AttentionMask): tf.Tensor4D {
  const [B, H, Tq, D] = q.shape;
  const Hkv = k.shape[1];
  if (!hasKernel(FUSED_KERNELS.attention) || q.dtype !== 'float32') {
    const qg = tf.reshape(q, [B, Hkv, (H / Hkv) * Tq, D]);
    const scores = tf.add(matMul(qg, swapLastAxes(k)), mask.bias());
    return tf.reshape(matMul(tf.softmax(scores), v), [B, H, Tq, D]) as tf.Tensor4D;
  }
  const { keyValid, queryLimit } = mask;
  const op = withGrad((qi: tf.Tensor, ki: tf.Tensor, vi: tf.Tensor, save: tf.GradSaveFunc) => {
    const [out, lse] = runKernel(FUSED_KERNELS.attention, { q: qi, k: ki, v: vi, keyValid, queryLimit }) as tf.Tensor[];
    save([qi, ki, vi, keyValid, queryLimit, out, lse]);
    return {
      value: out,
      gradFunc: (dOut: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, sk, sv, valid, limit, so, slse] = saved;
        return runKernel(FUSED_KERNELS.attentionGrad, { q: sq, k: sk, v: sv, keyValid: valid, queryLimit: limit, out: so, lse: slse, dOut }) as tf.Tensor[];
      },
    };
  });
  return op(q, k, v) as tf.Tensor4D;
}
