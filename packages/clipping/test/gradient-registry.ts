import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-core's CommonJS build registers no gradient functions (they live in its ESM-only
 * `register_all_gradients`). The workspace keeps one CommonJS bundle of them, generated from
 * tfjs-core 4.22.0 in the policy package; tests that call `tf.grad` load it from there.
 */
export function registerTfjsGradients(): void {
  if (tf.getGradient('Sum')) return;
  require(path.join(__dirname, '..', '..', 'policy', 'src', 'vendor', 'tfjs-gradients.js'));
}
