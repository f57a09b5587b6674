import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasKernel, runKernel, withGrad } from './names';

/**
 * SwiGLU's gating `silu(gate) * up` (Shazeer, "GLU Variants Improve Transformer", arXiv:2002.05202, eq. 6
 * with Swish_1 = SiLU), one fused kernel each way where the backend has them, stock ops otherwise.
 */
export function swiglu<T extends tf.Tensor>(gate: T, up: T): T {
  if (!hasKernel(FUSED_KERNELS.swiglu) || gate.dtype !== 'float32' || !sameShape(gate.shape, up.shape)) {
    return tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as T;
  }
  const op = withGrad((g: tf.Tensor, u: tf.Tensor, save: tf.GradSaveFunc) => {
    save([g, u]);
    return {
      value: runKernel(FUSED_KERNELS.swiglu, { gate: g, up: u }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runKernel(FUSED_KERNELS.swigluGrad, { gate: saved[0], up: saved[1], dy }) as tf.Tensor[],
    };
  });
  return op(gate, up) as T;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
