import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasKernel, runKernel, withGrad } from './names';

/**
 * Rotary embeddings (Su et al., "RoFormer", arXiv:2104.09864, eq. 34; Hugging Face `rotate_half` layout):
 * `x cos + rotate_half(x) sin` on `x [N, heads, D]` with `cos`/`sin` `[N, D]`. The fused kernel turns each
 * pair `(x[j], x[j + D/2])` by its angle and its gradient turns back by minus the angle; without the
 * kernel, `rotate_half` is a product with the constant matrix `rotateHalf` `[D, D]` (no slices).
 */
export function applyRope(x: tf.Tensor3D, cos: tf.Tensor2D, sin: tf.Tensor2D, rotateHalf: tf.Tensor2D): tf.Tensor3D {
  const [N, heads, D] = x.shape;
  if (!hasKernel(FUSED_KERNELS.rope) || x.dtype !== 'float32') {
    const rotated = tf.reshape(tf.matMul(tf.reshape(x, [N * heads, D]), rotateHalf), [N, heads, D]);
    return tf.add(tf.mul(x, tf.expandDims(cos, 1)), tf.mul(rotated, tf.expandDims(sin, 1)));
  }
  const op = withGrad((xi: tf.Tensor, save: tf.GradSaveFunc) => {
    save([cos, sin]);
    return {
      value: runKernel(FUSED_KERNELS.rope, { x: xi, cos, sin }, { inverse: false }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runKernel(FUSED_KERNELS.rope, { x: dy, cos: saved[0], sin: saved[1] }, { inverse: true }) as tf.Tensor,
    };
  });
  return op(x) as tf.Tensor3D;
}
