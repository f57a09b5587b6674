import * as tf from '@tensorflow/tfjs-core';
import type { RopeScaling } from './config';
import { embedRows, type TiedGradient } from './kernels/embedding';
import { FUSED_KERNELS, hasKernel } from './kernels/names';
import { rmsNorm as fusedRmsNorm } from './kernels/rms-norm';

/**
 * Matrix product `a @ b` (rank 2, or batched with equal leading dims) whose gradient uses explicit
 * transposes and plain products. tfjs's own gradient multiplies with `transposeA/B` flags, which the
 * wasm backend runs 10–20× slower than a transpose followed by a plain product.
 */
export const matMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [tf.matMul(dy, swapLastAxes(sb)), tf.matMul(swapLastAxes(sa), dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** Swaps the last two axes: `[..., m, n]` → `[..., n, m]`. */
export function swapLastAxes(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(x, perm);
}

/**
 * `x [N, in] @ weight[out, in]ᵀ (+ bias [out])` → `[N, out]`; the weight is in Hugging Face layout.
 * A frozen weight (a variable with `trainable: false`, as under LoRA) gets no gradient: the backward
 * pass computes `dy @ W` only, not the `[out, in]` weight gradient nobody reads.
 */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  const frozen = weight instanceof tf.Variable && !weight.trainable;
  const y = (frozen ? frozenLinear(weight)(x) : stridedGemm() ? linearNt(x, weight) : matMul(x, tf.transpose(weight))) as tf.Tensor2D;
  return bias ? tf.add(y, bias) : y;
}

/**
 * `x · wᵀ` with transpose flags, forward and backward: where the native GEMM runs (it reads transposed
 * operands through strides at no cost) this saves the three transposes per projection that `matMul`'s
 * explicit-transpose gradient needs on stock wasm.
 */
const linearNt = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w, false, true),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy, saved[1]), tf.matMul(dy, saved[0], true, false)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor, w: tf.Tensor) => tf.Tensor;

/** The backend's matmuls take transposed operands for free (the native GEMM, which comes with the fused kernels). */
function stridedGemm(): boolean {
  return hasKernel(FUSED_KERNELS.lmHeadLogProbs);
}

function frozenLinear(weight: tf.Tensor2D): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad(((x: tf.Tensor) => ({
    value: stridedGemm() ? tf.matMul(x, weight, false, true) : tf.matMul(x, tf.transpose(weight)),
    gradFunc: (dy: tf.Tensor) => tf.matMul(dy, weight),
  })) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
}

/**
 * Embedding lookup `table[ids]` → `[N, H]`. The forward pass is a gather; the gradient scatters rows
 * (a native kernel where the backend has it, `oneHot(ids)ᵀ @ dy` otherwise): see `kernels/embedding.ts`.
 */
export function embed(table: tf.Tensor2D, ids: tf.Tensor1D, tied?: TiedGradient): tf.Tensor2D {
  return embedRows(table, ids, tied);
}

/** RMSNorm over the last axis: `x / sqrt(mean(x²) + eps) * weight` (fused where the backend has the kernel). */
export function rmsNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T {
  return fusedRmsNorm(x, weight, eps);
}

/** SiLU: `x * sigmoid(x)`. */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x)) as T;
}

/**
 * The constant `[D, D]` matrix R with `x @ R = rotate_half(x) = concat(-x[D/2:], x[:D/2])` (the Hugging
 * Face convention). A matmul keeps rotary embeddings free of slices on rank-4 tensors.
 */
export function rotateHalfMatrix(headDim: number): tf.Tensor2D {
  const half = headDim / 2;
  const r = new Float32Array(headDim * headDim);
  for (let j = 0; j < half; j++) {
    r[(j + half) * headDim + j] = -1;
    r[j * headDim + j + half] = 1;
  }
  return tf.tensor2d(r, [headDim, headDim]);
}

/**
 * Rotary inverse frequencies `θ^(-2j/D)`, j < D/2, with optional scaling. Llama 3 (Hugging Face
 * `_compute_llama3_parameters`): wavelengths longer than `original / low_freq_factor` are divided by
 * `factor`, shorter than `original / high_freq_factor` kept, and the band between interpolated with
 * `s = (original / wavelen - low) / (high - low)`: `(1 - s) · f / factor + s · f`.
 */
export function ropeInvFreq(headDim: number, theta: number, scaling?: RopeScaling): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let j = 0; j < half; j++) inv[j] = 1 / Math.pow(theta, (2 * j) / headDim);
  if (!scaling) return inv;
  if (scaling.type === 'linear') return inv.map((f) => f / scaling.factor);
  const { factor, lowFreqFactor: low, highFreqFactor: high, originalMaxPositionEmbeddings: original } = scaling;
  const lowFreqWavelen = original / low;
  const highFreqWavelen = original / high;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highFreqWavelen) return f;
    if (wavelen > lowFreqWavelen) return f / factor;
    const smooth = (original / wavelen - low) / (high - low);
    return (1 - smooth) * (f / factor) + smooth * f;
  });
}

/** cos/sin tables `[N, D]` for the given absolute positions (HF layout: frequencies repeated twice). */
export function ropeTables(positions: ArrayLike<number>, headDim: number, theta: number, scaling?: RopeScaling): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const half = headDim / 2;
  const n = positions.length;
  const cos = new Float32Array(n * headDim);
  const sin = new Float32Array(n * headDim);
  const invFreq = ropeInvFreq(headDim, theta, scaling);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < half; j++) {
      const angle = positions[i] * invFreq[j];
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[i * headDim + j] = cos[i * headDim + j + half] = c;
      sin[i * headDim + j] = sin[i * headDim + j + half] = s;
    }
  }
  return { cos: tf.tensor2d(cos, [n, headDim]), sin: tf.tensor2d(sin, [n, headDim]) };
}
