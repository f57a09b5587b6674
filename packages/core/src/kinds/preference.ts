import type * as tf from '@tensorflow/tfjs-core';
import type { PreferencePair } from '../data/preference';
import type { RolloutTree } from '../data/tree';
import type { Rng } from '../random/rng';
import type { Tokenizer } from './policy';
import type { Sample } from './tool';

/** One side (chosen or rejected) of a batch of `P` preference pairs; every `[P, T]` tensor is aligned. */
export interface PreferenceSide {
  /** `[P, T]` current log-probs of the response tokens (differentiable). */
  logProbs: tf.Tensor2D;
  /** `[P, T]` 1 on response tokens (prompt and padding are 0). */
  lossMask: tf.Tensor2D;
  /** `[P, T]` reference-model log-probs, when the plugin requires `refLogProbs`. */
  refLogProbs?: tf.Tensor2D;
  /** `[P, T]` per-token guidance (e.g. TGDPO's token reward), 0 where a pair gives none. */
  guidance?: tf.Tensor2D;
}

export interface PreferenceInput {
  chosen: PreferenceSide;
  rejected: PreferenceSide;
  /** The pairs, row `i` of every tensor is `pairs[i]`. */
  pairs: readonly PreferencePair[];
}

export interface PreferenceOutput {
  /** `[P]` loss of each pair (to be minimised); the trainer means it over the pairs of a mini-batch. */
  perPair: tf.Tensor1D;
  /** Scalar diagnostics, means over this batch's pairs, keyed `<kind>/<name>/<metric>`. */
  metrics?: Record<string, tf.Scalar | number>;
}

/** kind `preference`: a pairwise loss on chosen and rejected responses (DPO, SimPO, TGDPO, ...). */
export interface PreferenceLoss {
  perPair(input: PreferenceInput): PreferenceOutput;
  state?(): unknown;
  loadState?(state: unknown): void;
}

export interface PairSourceInput {
  /** The samples picked for this step. */
  samples: readonly Sample[];
  /** This step's scored rollout trees, when the source mines rollouts (`fromRollouts`). */
  trees?: readonly RolloutTree[];
  step: number;
  tokenizer: Tokenizer;
  rng: Rng;
}

export interface PairSourceOutput {
  pairs: PreferencePair[];
  metrics?: Record<string, number>;
}

/**
 * kind `pairs`: where a preference step's pairs come from. An offline source reads them from the samples
 * (no rollouts); a miner (`fromRollouts: true`) turns this step's scored groups or trees into pairs.
 */
export interface PairSource {
  readonly fromRollouts: boolean;
  pairs(input: PairSourceInput): PairSourceOutput;
  /**
   * Which step kind training step `step` (0-based) runs, when the source alternates phases (Tool-Star's
   * self-critic DPO between GRPO phases): `policy-gradient` steps run the recipe's advantage and objective,
   * `preference` steps this source's pairs. Absent: every step is a preference step.
   */
  phase?(step: number): 'preference' | 'policy-gradient';
  state?(): unknown;
  loadState?(state: unknown): void;
}

/** The weights a reference schedule reads and writes, by checkpoint name. */
export interface ReferenceScheduleInput {
  /** Optimizer steps done so far (before the step for `beforeStep`, after it for `afterStep`). */
  step: number;
  policy: ReadonlyMap<string, tf.Variable>;
  reference: ReadonlyMap<string, tf.Variable>;
  rng: Rng;
}

/**
 * kind `referenceSchedule`: moves the reference model (and, for extrapolation, the policy) between steps:
 * iterative DPO's "reference ← policy" every round, APO's Nesterov extrapolation, SePPO's random past
 * checkpoint. Weights are assigned in place; the schedule owns any copies it keeps.
 */
export interface ReferenceSchedule {
  beforeStep?(input: ReferenceScheduleInput): Record<string, number> | void;
  afterStep?(input: ReferenceScheduleInput): Record<string, number> | void;
  state?(): unknown;
  loadState?(state: unknown): void;
  dispose?(): void;
}
