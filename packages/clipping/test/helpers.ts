import * as tf from '@tensorflow/tfjs-core';
import { type Batch, countBatch, type GlobalCounts, type ObjectiveInput, parseOptions, type PolicyObjective, type RowKind } from '@tirl/core';
import type { AnyPluginDefinition } from '@tirl/core';
import { testPluginContext } from '@tirl/core/testing';

/** A batch with just the fields the losses read: loss mask, row kinds, root and group ids. */
export function fakeBatch(lossMask: number[][], rowKinds?: RowKind[], rootIds?: number[]): Batch {
  const B = lossMask.length;
  const T = lossMask[0]?.length ?? 1;
  const kinds = rowKinds ?? lossMask.map(() => 'root' as RowKind);
  const roots = Int32Array.from(rootIds ?? lossMask.map((_, b) => b));
  const tensors = {
    ids: tf.zeros([B, T], 'int32') as tf.Tensor2D,
    attentionMask: tf.tensor2d(lossMask),
    lossMask: tf.tensor2d(lossMask),
    oldLogProbs: tf.zeros([B, T]) as tf.Tensor2D,
  };
  return {
    ...tensors,
    groupIds: Int32Array.from(kinds, (k, b) => (k === 'pad' ? -1 : b)),
    rootIds: roots,
    rowKinds: kinds,
    trajectories: kinds.map(() => null),
    lengths: lossMask.map((r) => r.length),
    lossMaskValues: Float32Array.from(lossMask.flat()),
    dispose: () => tf.dispose(Object.values(tensors)),
  };
}

export function countsOf(batch: Batch, generationBudget = 8): GlobalCounts {
  const [B, T] = batch.lossMask.shape;
  return countBatch(batch.lossMaskValues, [B, T], batch.rowKinds, batch.rootIds, generationBudget);
}

/** Plain-array description of an objective input, as written in the fixture files. */
export interface ObjectiveCase {
  options?: Record<string, unknown>;
  logProbs: number[][];
  oldLogProbs: number[][];
  advantages: number[][];
  lossMask: number[][];
  rowKinds?: RowKind[];
  rolloutLogProbs?: number[][];
  refLogProbs?: number[][];
  entropies?: number[][];
}

/** Creates the plugin with its options (validated as core does) and a seeded test context. */
export function instantiate<T>(def: AnyPluginDefinition, options: Record<string, unknown> = {}, seed = 0): T {
  return def.create(parseOptions(def.id, def.options, options), testPluginContext(def.id, {}, seed)) as T;
}

/** Tensors of an objective case; dispose with `disposeInput`. */
export function objectiveInput(c: ObjectiveCase): ObjectiveInput {
  const batch = fakeBatch(c.lossMask, c.rowKinds);
  return {
    logProbs: tf.tensor2d(c.logProbs),
    oldLogProbs: tf.tensor2d(c.oldLogProbs),
    advantages: tf.tensor2d(c.advantages),
    lossMask: tf.tensor2d(c.lossMask),
    ...(c.rolloutLogProbs ? { rolloutLogProbs: tf.tensor2d(c.rolloutLogProbs) } : {}),
    ...(c.refLogProbs ? { refLogProbs: tf.tensor2d(c.refLogProbs) } : {}),
    ...(c.entropies ? { entropies: tf.tensor2d(c.entropies) } : {}),
    counts: countsOf(batch),
    batch,
  };
}

export function disposeInput(input: ObjectiveInput): void {
  input.batch.dispose();
  tf.dispose([input.logProbs, input.oldLogProbs, input.advantages, input.lossMask]);
  tf.dispose([input.rolloutLogProbs, input.refLogProbs, input.entropies].filter((t): t is tf.Tensor2D => !!t));
}

/** Metrics as plain numbers (scalars read to the host). */
export function plainMetrics(metrics: Record<string, tf.Scalar | number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics ?? {})) out[k] = typeof v === 'number' ? v : v.dataSync()[0];
  return out;
}

/** Runs a JSON fixture file of objective cases: `{ perToken, metrics }` against the hand-derived values. */
export function objectiveFixtureRunner(def: AnyPluginDefinition, seed = 0) {
  return (c: ObjectiveCase) => {
    const objective = instantiate<PolicyObjective>(def, c.options ?? {}, seed);
    const input = objectiveInput(c);
    try {
      const out = objective.perToken(input);
      const result = { perToken: out.perToken.arraySync(), metrics: plainMetrics(out.metrics) };
      out.perToken.dispose();
      return result;
    } finally {
      disposeInput(input);
    }
  };
}
