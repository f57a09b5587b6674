import * as tf from '@tensorflow/tfjs-core';
import type { Batch, RowKind } from '../../data/batch';
import { countBatch, type GlobalCounts } from '../../data/counts';
import type { ObjectiveInput } from '../../kinds/algorithm';
import { Rng } from '../../random/rng';

/** A loss-side case in plain arrays: every `[B, T]` table is row-major numbers. */
export interface TensorCase {
  name?: string;
  /** Options for this case (merged over the kit's `valid`). */
  options?: Record<string, unknown>;
  lossMask: number[][];
  logProbs: number[][];
  oldLogProbs: number[][];
  advantages: number[][];
  /** Per-token loss values for aggregation kits (default: `logProbs`). */
  perToken?: number[][];
  rowKinds?: RowKind[];
  /** Root index per row (default: row index; -1 on pad rows). */
  rootIds?: number[];
  /** Group index per row (default: the root index). */
  groupIds?: number[];
  refLogProbs?: number[][];
  entropies?: number[][];
  rolloutLogProbs?: number[][];
  proximalLogProbs?: number[][];
}

/** A batch with just the fields the losses read: loss mask, row kinds, root and group ids. */
export function batchFromMask(lossMask: number[][], rowKinds?: readonly RowKind[], rootIds?: readonly number[], groupIds?: readonly number[]): Batch {
  const B = lossMask.length;
  const T = lossMask[0]?.length ?? 1;
  const kinds = rowKinds ? [...rowKinds] : lossMask.map(() => 'root' as RowKind);
  const roots = Int32Array.from(rootIds ?? kinds.map((k, b) => (k === 'pad' ? -1 : b)));
  const attention = lossMask.map((row, b) => row.map(() => (kinds[b] === 'pad' ? 0 : 1)));
  const tensors = {
    ids: tf.zeros([B, T], 'int32') as tf.Tensor2D,
    attentionMask: tf.tensor2d(attention, [B, T]),
    lossMask: tf.tensor2d(lossMask, [B, T]),
    oldLogProbs: tf.zeros([B, T]) as tf.Tensor2D,
  };
  return {
    ...tensors,
    groupIds: Int32Array.from(groupIds ?? roots),
    rootIds: roots,
    rowKinds: kinds,
    trajectories: kinds.map(() => null),
    lengths: lossMask.map((r, b) => (kinds[b] === 'pad' ? 0 : r.length)),
    lossMaskValues: Float32Array.from(lossMask.flat()),
    dispose: () => tf.dispose(Object.values(tensors)),
  };
}

/** Global counts of a whole batch, as the trainer takes them before micro-batching. */
export function countsOf(batch: Batch, generationBudget = 8): GlobalCounts {
  const [B, T] = batch.lossMask.shape;
  return countBatch(batch.lossMaskValues, [B, T], batch.rowKinds, batch.rootIds, generationBudget);
}

const OPTIONAL = ['refLogProbs', 'entropies', 'rolloutLogProbs', 'proximalLogProbs'] as const;

/** The tensors of a case (rows `rows`, default all) with the given global counts; dispose with `disposeObjectiveInput`. */
export function objectiveInputOf(c: TensorCase, rows?: readonly number[], counts?: GlobalCounts): ObjectiveInput {
  const pick = <T>(table: readonly T[]) => (rows ? rows.map((r) => table[r]) : [...table]);
  const kinds = c.rowKinds ?? c.lossMask.map(() => 'root' as RowKind);
  const roots = c.rootIds ?? kinds.map((k, b) => (k === 'pad' ? -1 : b));
  const batch = batchFromMask(pick(c.lossMask), pick(kinds), pick(roots), c.groupIds ? pick(c.groupIds) : undefined);
  const input: ObjectiveInput = {
    logProbs: tf.tensor2d(pick(c.logProbs)),
    oldLogProbs: tf.tensor2d(pick(c.oldLogProbs)),
    advantages: tf.tensor2d(pick(c.advantages)),
    lossMask: tf.tensor2d(pick(c.lossMask)),
    counts: counts ?? countsOf(batch),
    batch,
  };
  for (const key of OPTIONAL) if (c[key]) input[key] = tf.tensor2d(pick(c[key]!));
  return input;
}

export function disposeObjectiveInput(input: ObjectiveInput): void {
  input.batch.dispose();
  tf.dispose([input.logProbs, input.oldLogProbs, input.advantages, input.lossMask]);
  for (const key of OPTIONAL) input[key]?.dispose();
}

/** Metrics as plain numbers (scalars read to the host, then disposed). */
export function plainMetrics(metrics: Record<string, tf.Scalar | number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics ?? {})) {
    out[k] = typeof v === 'number' ? v : v.dataSync()[0];
    if (typeof v !== 'number') v.dispose();
  }
  return out;
}

/** Every `[B, T]` table of a case, for perturbing. */
const TABLES = ['logProbs', 'oldLogProbs', 'advantages', 'perToken', 'refLogProbs', 'entropies', 'rolloutLogProbs', 'proximalLogProbs'] as const;

/**
 * The same case with every value at an untrained position (loss mask 0, pad rows included) redrawn:
 * log-probs in [-30, 0], advantages in [-5, 5], entropies in [0, 8], per-token losses in [-100, 100].
 * Such positions must not change any trained position's result.
 */
export function perturbMasked(c: TensorCase, seed = 1): TensorCase {
  const rng = new Rng(seed);
  const draw: Record<(typeof TABLES)[number], () => number> = {
    logProbs: () => -30 * rng.next(),
    oldLogProbs: () => -30 * rng.next(),
    refLogProbs: () => -30 * rng.next(),
    rolloutLogProbs: () => -30 * rng.next(),
    proximalLogProbs: () => -30 * rng.next(),
    advantages: () => 10 * rng.next() - 5,
    entropies: () => 8 * rng.next(),
    perToken: () => 200 * rng.next() - 100,
  };
  const out: TensorCase = { ...c };
  for (const key of TABLES) {
    const table = c[key];
    if (!table) continue;
    out[key] = table.map((row, b) => row.map((v, t) => (c.lossMask[b][t] === 1 ? v : draw[key]())));
  }
  return out;
}

/** The same case with `extra` more positions on the time axis, all untrained (values 0, entropies 1). */
export function padTime(c: TensorCase, extra: number): TensorCase {
  const out: TensorCase = { ...c };
  for (const key of ['lossMask', ...TABLES] as const) {
    const table = c[key];
    if (table) out[key] = table.map((row) => [...row, ...new Array<number>(extra).fill(key === 'entropies' ? 1 : 0)]);
  }
  return out;
}

/** The same case with one more pad row at the end. */
export function addPadRow(c: TensorCase): TensorCase {
  const T = c.lossMask[0].length;
  const out: TensorCase = { ...c, rowKinds: [...(c.rowKinds ?? c.lossMask.map(() => 'root' as RowKind)), 'pad'] };
  const kinds = c.rowKinds ?? c.lossMask.map(() => 'root' as RowKind);
  out.rootIds = [...(c.rootIds ?? kinds.map((k, b) => (k === 'pad' ? -1 : b))), -1];
  if (c.groupIds) out.groupIds = [...c.groupIds, -1];
  for (const key of ['lossMask', ...TABLES] as const) {
    const table = c[key];
    if (table) out[key] = [...table, new Array<number>(T).fill(key === 'entropies' ? 1 : 0)];
  }
  return out;
}

/**
 * Default loss-side cases, drawn from a seeded stream: four rows (a root, its child sharing root 0, a
 * second root, a pad row) over six positions with prompt, tool and trailing-pad positions masked out.
 * The first case has ratios near 1 (inside usual clip ranges), the second ratios far outside them.
 */
export function defaultTensorCases(seed = 0): TensorCase[] {
  const lossMask = [
    [0, 0, 1, 1, 1, 0],
    [0, 1, 1, 0, 1, 1],
    [0, 0, 0, 1, 1, 1],
    [0, 0, 0, 0, 0, 0],
  ];
  const shape = { rowKinds: ['root', 'child', 'root', 'pad'] as RowKind[], rootIds: [0, 0, 1, -1], groupIds: [0, 0, 1, -1] };
  const make = (name: string, spread: number, s: number): TensorCase => {
    const rng = new Rng(s);
    const table = (f: () => number) => lossMask.map((row) => row.map(() => Math.fround(f())));
    const logProbs = table(() => -0.05 - 2 * rng.next());
    return {
      name,
      lossMask,
      ...shape,
      logProbs,
      oldLogProbs: logProbs.map((row) => row.map((v) => Math.fround(v + spread * (2 * rng.next() - 1)))),
      refLogProbs: logProbs.map((row) => row.map((v) => Math.fround(v + 0.3 * (2 * rng.next() - 1)))),
      advantages: table(() => (rng.next() < 0.5 ? -1 : 1) * (0.25 + rng.next())),
      entropies: table(() => 0.05 + 2 * rng.next()),
      perToken: table(() => 4 * rng.next() - 2),
    };
  };
  return [make('ratios near 1', 0.15, seed), make('ratios far from 1', 1.5, seed + 1)];
}

/**
 * Row index lists that cut a case into micro-batches as the trainer does (a root and its children stay
 * together): every root alone, and the roots in two halves.
 */
export function microBatchSplits(c: TensorCase): number[][][] {
  const kinds = c.rowKinds ?? c.lossMask.map(() => 'root' as RowKind);
  const roots = c.rootIds ?? kinds.map((k, b) => (k === 'pad' ? -1 : b));
  const byRoot = new Map<string, number[]>();
  roots.forEach((root, b) => {
    const key = kinds[b] === 'pad' ? `pad${b}` : `root${root}`;
    byRoot.set(key, [...(byRoot.get(key) ?? []), b]);
  });
  const units = [...byRoot.values()];
  const half = Math.ceil(units.length / 2);
  return [units, [units.slice(0, half).flat(), units.slice(half).flat()]].filter((split) => split.length > 1);
}
