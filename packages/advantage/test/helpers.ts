import * as tf from '@tensorflow/tfjs-core';
import {
  buildBatch,
  parseOptions,
  type AdvantageEstimator,
  type AdvantageTransform,
  type AnyPluginDefinition,
  type Batch,
  type RolloutTree,
  type SegmentSource,
  type ToolCallRecord,
  type Trajectory,
} from '@tirl/core';
import { makeTrajectory, testPluginContext } from '@tirl/core/testing';

/** A compact row of a fixture: a trajectory spec plus the fields `makeTrajectory` does not cover. */
export interface RowSpec {
  id: string;
  group?: string;
  sample?: string;
  root?: string;
  parent?: string;
  segments: [SegmentSource, number][];
  score?: number;
  logProb?: number;
  meta?: Record<string, unknown>;
  treePath?: string[];
  toolCalls?: Partial<ToolCallRecord>[];
  rewardComponents?: Record<string, number>;
}

/** One step of fixture input. Matrices are `[B, T]` nested arrays aligned with the built batch. */
export interface StepInput {
  rows: RowSpec[];
  padRowsTo?: number;
  values?: number[][];
  tokenRewards?: number[][];
  advantages?: number[][];
  trees?: { id: string; nodes: RolloutTree['nodes']; leaves: string[] }[];
}

export interface FixtureInput extends StepInput {
  options?: Record<string, unknown>;
  /** Several steps through one instance (stateful transforms); `expected` is then one entry per step. */
  steps?: StepInput[];
}

export function trajectoryOf(row: RowSpec): Trajectory {
  const t = makeTrajectory({
    id: row.id,
    groupId: row.group ?? 'g',
    rootId: row.root,
    parentId: row.parent,
    reward: row.score,
    segments: row.segments,
    logProb: row.logProb,
  });
  return {
    ...t,
    sampleId: row.sample ?? t.sampleId,
    meta: row.meta,
    treePath: row.treePath,
    rewardComponents: row.rewardComponents,
    toolCalls: (row.toolCalls ?? []).map((c) => ({ turn: 0, name: 'tool', args: {}, ok: true, observation: '', ...c })),
  };
}

export function batchOf(rows: RowSpec[], padRowsTo?: number): Batch {
  return buildBatch(rows.map(trajectoryOf), { padRowsTo });
}

export function scoresOf(batch: Batch): Float32Array {
  return Float32Array.from(batch.trajectories, (t) => t?.reward ?? 0);
}

export function instanceOf<T>(def: AnyPluginDefinition, options: Record<string, unknown> = {}): T {
  return def.create(parseOptions(def.id, def.options, options), testPluginContext(def.id)) as T;
}

interface StepResult {
  advantages: number[][];
  returns?: number[][];
  valueMask?: number[][];
}

/** Runs one step on an estimator or transform instance and returns plain arrays; disposes every tensor. */
export function runStep(def: AnyPluginDefinition, instance: unknown, step: StepInput): StepResult {
  const batch = batchOf(step.rows, step.padRowsTo);
  const trajectories = new Map(batch.trajectories.filter((t): t is Trajectory => !!t).map((t) => [t.id, t]));
  const trees: RolloutTree[] | undefined = step.trees?.map((tree) => ({
    id: tree.id,
    sampleId: 'sample',
    nodes: tree.nodes,
    trajectories: tree.leaves.map((id) => trajectories.get(id)!),
  }));
  const owned: tf.Tensor[] = [];
  const matrix = (m?: number[][]) => {
    if (!m) return undefined;
    const t = tf.tensor2d(m);
    owned.push(t);
    return t;
  };
  try {
    const input = { batch, scores: scoresOf(batch), values: matrix(step.values), tokenRewards: matrix(step.tokenRewards), trees };
    const out =
      def.kind === 'advantage'
        ? (instance as AdvantageEstimator).compute(input)
        : (instance as AdvantageTransform).transform({ ...input, advantages: matrix(step.advantages ?? zerosLike(batch))! });
    const result: StepResult = { advantages: out.advantages.arraySync() as number[][] };
    if (out.returns) result.returns = out.returns.arraySync() as number[][];
    if (out.valueMask) result.valueMask = out.valueMask.arraySync() as number[][];
    tf.dispose([out.advantages, out.returns, out.valueMask].filter((t): t is tf.Tensor2D => !!t));
    return result;
  } finally {
    tf.dispose(owned);
    batch.dispose();
  }
}

function zerosLike(batch: Batch): number[][] {
  return Array.from({ length: batch.ids.shape[0] }, () => new Array<number>(batch.ids.shape[1]).fill(0));
}

/** Runs a fixture input (one step, or several through one instance). */
export function runFixtureInput(def: AnyPluginDefinition, input: FixtureInput): unknown {
  const instance = instanceOf(def, input.options);
  if (input.steps) return input.steps.map((step) => runStep(def, instance, step));
  return runStep(def, instance, input);
}
