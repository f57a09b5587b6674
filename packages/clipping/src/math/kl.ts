import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './tensor';

export const KL_ESTIMATORS = ['k1', 'kl', 'abs', 'k2', 'mse', 'k3', 'low-var-kl'] as const;
export type KlEstimatorName = (typeof KL_ESTIMATORS)[number];
/** An estimator, optionally with `+`: value of the estimator, gradient of k2 (straight-through). */
export type KlEstimator = KlEstimatorName | `${KlEstimatorName}+`;
export const KL_ESTIMATOR_CHOICES = KL_ESTIMATORS.flatMap((n) => [n, `${n}+`]) as [KlEstimator, ...KlEstimator[]];

/**
 * `[B, T]` per-token KL estimate from δ = ℓ − ℓ_ref (verl `kl_penalty`, Schulman's k1/k2/k3):
 * k1 = δ; abs = |δ|; k2 = ½δ²; k3 = e^κ − κ − 1 with κ = −δ, clamped (κ to ±20, result to ±10) when
 * `clampK3`. A `+` suffix keeps the value and takes the gradient of k2: k2 − sg(k2) + sg(value).
 */
export function klEstimate(estimator: KlEstimator, delta: tf.Tensor2D, clampK3: boolean): tf.Tensor2D {
  return tf.tidy(() => {
    const straightThrough = estimator.endsWith('+');
    const name = (straightThrough ? estimator.slice(0, -1) : estimator) as KlEstimatorName;
    const value = forward(name, delta, clampK3);
    if (!straightThrough) return value;
    const k2 = forward('k2', delta, clampK3);
    return tf.add(tf.sub(k2, stopGradient(k2)), stopGradient(value)) as tf.Tensor2D;
  });
}

function forward(name: KlEstimatorName, delta: tf.Tensor2D, clampK3: boolean): tf.Tensor2D {
  switch (name) {
    case 'k1':
    case 'kl':
      return delta.clone();
    case 'abs':
      return tf.abs(delta);
    case 'k2':
    case 'mse':
      return tf.mul(0.5, tf.square(delta));
    case 'k3':
    case 'low-var-kl': {
      const kappa = clampK3 ? tf.clipByValue(tf.neg(delta), -20, 20) : tf.neg(delta);
      const k3 = tf.sub(tf.sub(tf.exp(kappa), kappa), 1);
      return (clampK3 ? tf.clipByValue(k3, -10, 10) : k3) as tf.Tensor2D;
    }
  }
}
