import * as tf from '@tensorflow/tfjs-core';

/** Runs `fn` and fails if it leaves tensors behind (its returned tensors are disposed first). */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>, label = 'code under test'): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const kept = result instanceof tf.Tensor ? 1 : 0;
  const after = tf.memory().numTensors - kept;
  if (after !== before) throw new Error(`${label} leaked ${after - before} tensor(s) (${before} before, ${after} after)`);
  return result;
}

/** A guard to check around a longer test: `const g = leakGuard(); ...; g.check()`. */
export function leakGuard(): { check(label?: string): void } {
  const before = tf.memory().numTensors;
  return {
    check(label = 'test') {
      const after = tf.memory().numTensors;
      if (after !== before) throw new Error(`${label} leaked ${after - before} tensor(s)`);
    },
  };
}
