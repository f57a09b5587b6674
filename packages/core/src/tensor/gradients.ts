import * as tf from '@tensorflow/tfjs-core';

/**
 * Makes sure tfjs gradients are registered. tfjs-core's CommonJS build ships no gradient functions
 * (they are in its ESM-only `register_all_gradients`), so training through `logProbs` would fail with
 * "gradient function not found". Gradients someone else registered first are kept. The behavioural
 * kits of `@tirl/core/testing` call it before their gradient checks.
 */
export function ensureGradients(): void {
  if (tf.getGradient('Sum') && tf.getGradient('LogSoftmax')) return;
  const before = new Map(['BatchMatMul', 'GatherV2'].map((k) => [k, tf.getGradient(k)]));
  require('../vendor/tfjs-gradients');
  for (const config of before.values()) if (config) tf.registerGradient(config);
}
