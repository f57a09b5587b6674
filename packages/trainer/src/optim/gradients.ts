import * as tf from '@tensorflow/tfjs-core';

/** Adds `more` into `into` (disposing replaced tensors); returns `into`. */
export function accumulate(into: Map<string, tf.Tensor>, more: Record<string, tf.Tensor>): Map<string, tf.Tensor> {
  for (const [name, g] of Object.entries(more)) {
    const prev = into.get(name);
    if (prev) {
      into.set(name, tf.add(prev, g));
      prev.dispose();
      g.dispose();
    } else into.set(name, g);
  }
  return into;
}

/**
 * Global L2 norm of all gradients (host number; NaN/Inf propagate). One variable's squares at a time: a
 * single tidy around all of them would hold a second copy of every gradient.
 */
export function globalNorm(grads: ReadonlyMap<string, tf.Tensor>): number {
  const sums = [...grads.values()].map((g) => tf.tidy(() => tf.sum(tf.square(g))));
  const sq = tf.addN(sums);
  const value = sq.dataSync()[0];
  tf.dispose([...sums, sq]);
  return Math.sqrt(value);
}

/** Scales gradients in place so their global norm is at most `maxNorm` (0 = no clipping). */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, norm: number, maxNorm: number): void {
  if (maxNorm <= 0 || !(norm > maxNorm)) return;
  const scale = maxNorm / (norm + 1e-6);
  for (const [name, g] of grads) {
    grads.set(name, tf.tidy(() => tf.mul(g, scale)));
    g.dispose();
  }
}

export function disposeGrads(grads: Map<string, tf.Tensor>): void {
  for (const g of grads.values()) g.dispose();
  grads.clear();
}
