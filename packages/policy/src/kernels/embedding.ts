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

/**
 * `[rows, W]` zeros with `dy[i]` added into row `ids[i]` (ids outside `[0, rows)` are dropped). Without
 * the native kernel: `dy` rows are summed per distinct id (`oneHot(slot)ᵀ · dy`, `[N, U]` with U ≤ N
 * distinct ids) and the U sums scattered, so no `[N, rows]` one-hot is built for large vocabularies.
 */
export function scatterAddRows(dy: tf.Tensor2D, ids: tf.Tensor1D, rows: number): tf.Tensor2D {
  if (hasKernel(FUSED_KERNELS.scatterAddRows)) return runKernel(FUSED_KERNELS.scatterAddRows, { dy, ids }, { rows }) as tf.Tensor2D;
  const idArray = ids.dataSync();
  const slotOf = new Map<number, number>();
  const slots = new Int32Array(idArray.length);
  idArray.forEach((id, n) => {
    if (id < 0 || id >= rows) return void (slots[n] = -1); // oneHot of -1 is a zero row: dropped
    if (!slotOf.has(id)) slotOf.set(id, slotOf.size);
    slots[n] = slotOf.get(id)!;
  });
  const distinct = Int32Array.from(slotOf.keys());
  if (distinct.length === 0) return tf.zeros([rows, dy.shape[1]]);
  return tf.tidy(() => {
    // int32 one-hot then cast: wasm's OneHot writes zeros when asked for float32 directly
    const sums = tf.matMul(tf.cast(tf.oneHot(tf.tensor1d(slots, 'int32'), distinct.length), 'float32'), dy, true, false);
    return tf.scatterND(tf.tensor2d(distinct, [distinct.length, 1], 'int32'), sums, [rows, dy.shape[1]]);
  });
}
