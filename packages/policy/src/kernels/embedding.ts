import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasKernel, runKernel, withGrad } from './names';

/**
 * Embedding lookup `table[ids]` → `[N, H]`. The gradient scatters `dy` rows into a `[V, H]` zero table
 * (`out[ids[i]] += dy[i]`): natively where the backend has the kernel, otherwise as `oneHot(ids)ᵀ · dy`
 * (gather's own gradient needs `UnsortedSegmentSum`, which wasm lacks).
 * @param table `[V, H]`; @param ids `[N]` int32.
 */
export function embedRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const vocab = table.shape[0];
  const op = withGrad((t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([ids]);
    return {
      value: tf.gather(t, ids),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => scatterAddRows(dy as tf.Tensor2D, saved[0] as tf.Tensor1D, vocab),
    };
  });
  return op(table) as tf.Tensor2D;
}

/** `[rows, W]` zeros with `dy[i]` added into row `ids[i]` (ids outside `[0, rows)` are dropped). */
export function scatterAddRows(dy: tf.Tensor2D, ids: tf.Tensor1D, rows: number): tf.Tensor2D {
  if (hasKernel(FUSED_KERNELS.scatterAddRows)) return runKernel(FUSED_KERNELS.scatterAddRows, { dy, ids }, { rows }) as tf.Tensor2D;
  return tf.tidy(() => tf.matMul(tf.cast(tf.oneHot(ids, rows), 'float32'), dy, true, false));
}
