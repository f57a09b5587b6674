import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs's own BatchMatMul gradient (tfjs-core/src/gradients/BatchMatMul_grad.ts), registered here
 * because tfjs-core's CommonJS bundle registers no gradients (they live in its ESM-only
 * `dist/register_all_gradients.js`). Every branch calls `matMul` with transposes, which is
 * what the native kernels must get right in a backward pass.
 */
export function registerBatchMatMulGradient(): void {
  if (tf.getGradient('BatchMatMul')) return;
  tf.registerGradient({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const d = dy as tf.Tensor;
      const [da, db] = !transposeA && !transposeB
        ? [tf.matMul(d, b, false, true), tf.matMul(a, d, true, false)]
        : !transposeA && transposeB
          ? [tf.matMul(d, b, false, false), tf.matMul(d, a, true, false)]
          : transposeA && !transposeB
            ? [tf.matMul(b, d, false, true), tf.matMul(a, d, false, false)]
            : [tf.matMul(b, d, true, true), tf.matMul(d, a, true, true)];
      return { a: () => reduceTo(da, a.shape), b: () => reduceTo(db, b.shape) };
    },
  });
}

/** Sums a broadcast gradient back to the operand's batch shape. */
function reduceTo(grad: tf.Tensor, shape: number[]): tf.Tensor {
  if (grad.rank === shape.length && grad.shape.every((d, i) => d === shape[i])) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank - 2; i++) if (i < lead || shape[i - lead] === 1) axes.push(i);
  return tf.reshape(tf.sum(grad, axes), shape);
}
