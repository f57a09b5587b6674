import * as tf from '@tensorflow/tfjs-core';

/** A copy of every weight (kept by a schedule; dispose with `disposeWeights`). */
export function snapshot(weights: ReadonlyMap<string, tf.Variable>): Map<string, tf.Tensor> {
  return new Map([...weights].map(([k, v]) => [k, tf.clone(v)]));
}

export function disposeWeights(weights: ReadonlyMap<string, tf.Tensor> | undefined): void {
  if (weights) tf.dispose([...weights.values()]);
}

/** Assigns `values` (by name) to `into`; a name missing on either side is an error naming it. */
export function assignWeights(into: ReadonlyMap<string, tf.Variable>, values: ReadonlyMap<string, tf.Tensor>, what: string): void {
  for (const [name, v] of into) {
    const value = values.get(name);
    if (!value) throw new Error(`${what}: no weight "${name}" to assign; the policy and reference must have the same weights`);
    v.assign(value);
  }
}
