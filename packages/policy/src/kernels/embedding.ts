import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasKernel, runKernel, withGrad } from './names';

/**
 * Embedding lookup `table[ids]` → `[N, H]`. The gradient scatters `dy` rows into a `[V, H]` zero table
 * (`out[ids[i]] += dy[i]`): natively where the backend has the kernel, otherwise as `oneHot(ids)ᵀ · dy`
 * (gather's own gradient needs `UnsortedSegmentSum`, which wasm lacks).
 * @param table `[V, H]`; @param ids `[N]` int32.
 */
export function embedRows(table: tf.Tensor2D, ids: tf.Tensor1D, tied?: TiedGradient): tf.Tensor2D {
  const vocab = table.shape[0];
  const op = withGrad((t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([ids]);
    return {
      value: tf.gather(t, ids),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => scatterAddRows(dy as tf.Tensor2D, saved[0] as tf.Tensor1D, vocab, tied?.take()),
    };
  });
  return op(table) as tf.Tensor2D;
}

/**
 * The LM head's gradient for a tied embedding matrix, handed to the embedding lookup's backward (which
 * runs later) so the two `[V, H]` gradients are summed in one buffer: tfjs would otherwise hold both and
 * their sum at once. The head's op leaves the matrix out of its differentiable inputs and `put`s its
 * gradient here; the lookup `take`s it and scatters its rows into it.
 */
export class TiedGradient {
  private pending?: tf.Tensor2D;

  /** True where the backend can add rows in place (else tie nothing: both ops take the matrix as input). */
  static supported(): boolean {
    return hasKernel(FUSED_KERNELS.scatterAddRows) && hasKernel(FUSED_KERNELS.lmHeadLogProbsGrad);
  }

  put(gradient: tf.Tensor2D): void {
    this.dispose();
    this.pending = tf.keep(gradient);
  }

  take(): tf.Tensor2D | undefined {
    const g = this.pending;
    this.pending = undefined;
    return g;
  }

  /** Drops a gradient nobody took (the lookup's backward did not run). */
  dispose(): void {
    this.pending?.dispose();
    this.pending = undefined;
  }
}

/**
 * `[rows, W]` zeros (or `base`, which this call consumes) with `dy[i]` added into row `ids[i]` (ids outside
 * `[0, rows)` are dropped). The native kernel adds into `base`'s buffer in place when nothing else shares it.
 * Without it: `dy` rows are summed per distinct id (`oneHot(slot)ᵀ · dy`, `[N, U]` with U ≤ N distinct ids)
 * and the U sums scattered, so no `[N, rows]` one-hot is built for large vocabularies.
 */
export function scatterAddRows(dy: tf.Tensor2D, ids: tf.Tensor1D, rows: number, base?: tf.Tensor2D): tf.Tensor2D {
  if (hasKernel(FUSED_KERNELS.scatterAddRows)) {
    if (!base) return runKernel(FUSED_KERNELS.scatterAddRows, { dy, ids }, { rows }) as tf.Tensor2D;
    const owned = (tf.backend().refCount(base.dataId) <= 1 ? base : tf.mul(base, tf.scalar(1))) as tf.Tensor2D;
    if (owned !== base) base.dispose();
    const out = runKernel(FUSED_KERNELS.scatterAddRows, { dy, ids, base: owned }, { rows }) as tf.Tensor2D;
    owned.dispose();
    return out;
  }
  const scattered = scatterDistinct(dy, ids, rows);
  if (!base) return scattered;
  const sum = tf.add(base, scattered) as tf.Tensor2D;
  tf.dispose([base, scattered]);
  return sum;
}

function scatterDistinct(dy: tf.Tensor2D, ids: tf.Tensor1D, rows: number): tf.Tensor2D {
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
