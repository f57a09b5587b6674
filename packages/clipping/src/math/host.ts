import type * as tf from '@tensorflow/tfjs-core';

/** Σ x·m / Σ m over host values (0 when the mask is empty). */
export function maskedMean(values: ArrayLike<number>, mask: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] > 0) {
      sum += values[i];
      n += 1;
    }
  }
  return n === 0 ? 0 : sum / n;
}

/** Fraction of masked positions where `flags` is non-zero (0 when the mask is empty). */
export function maskedFraction(flags: tf.Tensor, mask: tf.Tensor): number {
  return maskedMean(flags.dataSync(), mask.dataSync());
}

/** Masked mean of a tensor, read to the host. */
export function maskedMeanOf(values: tf.Tensor, mask: tf.Tensor): number {
  return maskedMean(values.dataSync(), mask.dataSync());
}

/** Metric key `<kind>/<name>/<metric>`. */
export function metricKey(kind: 'objective' | 'regularizer', name: string, metric: string): string {
  return `${kind}/${name}/${metric}`;
}
