import * as tf from '@tensorflow/tfjs-core';

/**
 * Fused kernels a backend may register (`@tirl/backend-native` registers them for wasm; its
 * `FUSED_KERNELS` table lists inputs, attrs and outputs). Each op in this folder runs the kernel when
 * the active backend has it and composes stock tfjs ops otherwise, so every backend gives the same result.
 */
export const FUSED_KERNELS = {
  lmHeadLogProbs: 'TirlLmHeadLogProbs',
  lmHeadLogProbsGrad: 'TirlLmHeadLogProbsGrad',
  scatterAddRows: 'TirlScatterAddRows',
  adamUpdate: 'TirlAdamUpdate',
  rmsNorm: 'TirlRmsNorm',
  rmsNormGrad: 'TirlRmsNormGrad',
  swiglu: 'TirlSwiglu',
  swigluGrad: 'TirlSwigluGrad',
  rope: 'TirlRope',
  attention: 'TirlAttention',
  attentionGrad: 'TirlAttentionGrad',
} as const;

export type FusedKernel = (typeof FUSED_KERNELS)[keyof typeof FUSED_KERNELS];

/** True when the active backend registered `name`. */
export function hasKernel(name: FusedKernel): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Runs a registered fused kernel; multi-output kernels return an array. */
export function runKernel(name: FusedKernel, inputs: Record<string, tf.Tensor>, attrs: Record<string, number | boolean> = {}): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
}

/** `fn` as a differentiable op with the given gradient (tfjs `customGrad`, typed loosely). */
export function withGrad<A extends tf.Tensor[]>(
  fn: (...args: [...A, tf.GradSaveFunc]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] },
): (...args: A) => tf.Tensor {
  return tf.customGrad(fn as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...args: A) => tf.Tensor;
}
