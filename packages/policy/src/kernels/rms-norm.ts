import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasKernel, runKernel, withGrad } from './names';

/**
 * RMSNorm over the last axis: `x / sqrt(mean(x²) + eps) * weight` (Zhang & Sennrich, "Root Mean Square
 * Layer Normalization", arXiv:1910.07467, eq. 4). One fused kernel forward and one backward where the
 * backend has them; stock ops (autodiff) otherwise.
 */
export function rmsNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T {
  if (!hasKernel(FUSED_KERNELS.rmsNorm) || x.dtype !== 'float32') return composite(x, weight, eps);
  const op = withGrad((xi: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, rstd] = runKernel(FUSED_KERNELS.rmsNorm, { x: xi, weight: w }, { eps }) as tf.Tensor[];
    save([xi, w, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, srstd] = saved;
        return runKernel(FUSED_KERNELS.rmsNormGrad, { x: sx, weight: sw, rstd: srstd, dy }) as tf.Tensor[];
      },
    };
  });
  return op(x, weight) as T;
}

function composite<T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps: number): T {
  const variance = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), weight) as T;
}
