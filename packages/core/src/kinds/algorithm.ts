import type * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch';
import type { GlobalCounts } from '../data/counts';
import type { RolloutTree } from '../data/tree';

/** Inputs the trainer can provide on request (`requires`). */
export type OptionalInput = 'values' | 'refLogProbs' | 'entropies' | 'trees' | 'tokenRewards' | 'proximalLogProbs';

/** Input of an advantage estimator. Every `[B, T]` tensor is aligned with `batch.ids`. */
export interface AdvantageInput {
  batch: Batch;
  /** `[B]` scalar reward per row (0 for pad rows). */
  scores: Float32Array;
  /** `[B, T]` per-token rewards (e.g. KL-in-reward), when a plugin requires `tokenRewards`. */
  tokenRewards?: tf.Tensor2D;
  /** `[B, T]` value estimates, when required. */
  values?: tf.Tensor2D;
  /** `[B, T]` sampling entropies, when required. */
  entropies?: tf.Tensor2D;
  /** The rollout trees of this step, when required. */
  trees?: RolloutTree[];
  /** The training step (0-based), for scheduled plugins; absent outside a training loop. */
  step?: number;
}

export interface AdvantageOutput {
  /** `[B, T]` advantages, zero off the loss mask and on pad rows. */
  advantages: tf.Tensor2D;
  /** `[B, T]` value targets (GAE), when computed. */
  returns?: tf.Tensor2D;
  /** `[B, T]` 1 where the value loss applies (T-PPO: finished responses only); absent = every trained token. */
  valueMask?: tf.Tensor2D;
  /**
   * `[B, T]` 0/1 token selection multiplied into the loss mask (token-level down-sampling such as D³S): the
   * dropped tokens are not trained and aggregation denominators count the kept tokens only.
   */
  tokenMask?: tf.Tensor2D;
  metrics?: Record<string, number>;
}

/** kind `advantage`: turns scores into per-token advantages. */
export interface AdvantageEstimator {
  compute(input: AdvantageInput): AdvantageOutput;
  state?(): unknown;
  loadState?(state: unknown): void;
}

/** kind `advantageTransform`: post-processes advantages (XRPO, DCPO, HAPO, ASPO, RiskPO ...). Applied in recipe order. */
export interface AdvantageTransform {
  transform(input: AdvantageInput & { advantages: tf.Tensor2D }): AdvantageOutput;
  state?(): unknown;
  loadState?(state: unknown): void;
}

/** Input of a per-token objective. */
export interface ObjectiveInput {
  /** `[B, T]` current log-probs (differentiable). */
  logProbs: tf.Tensor2D;
  /** `[B, T]` behaviour log-probs. */
  oldLogProbs: tf.Tensor2D;
  /** `[B, T]` advantages. */
  advantages: tf.Tensor2D;
  /** `[B, T]` 1 on trained tokens. */
  lossMask: tf.Tensor2D;
  /** `[B, T]` reference-model log-probs, when required. */
  refLogProbs?: tf.Tensor2D;
  /** `[B, T]` current entropies, when required. */
  entropies?: tf.Tensor2D;
  /** `[B, T]` log-probs of the inference engine when it differs from `oldLogProbs` (train/inference mismatch). */
  rolloutLogProbs?: tf.Tensor2D;
  /**
   * `[B, T]` log-probs of the policy as it was at the start of this training step (no gradient), when
   * required: the proximal policy of decoupled PPO, which differs from the behaviour policy
   * (`oldLogProbs`) when rollouts are stale (asynchronous training).
   */
  proximalLogProbs?: tf.Tensor2D;
  counts: GlobalCounts;
  batch: Batch;
}

export interface ObjectiveOutput {
  /** `[B, T]` loss per token (to be minimised), before aggregation. */
  perToken: tf.Tensor2D;
  /** Scalar diagnostics (clip fractions, ratios), host-side numbers. */
  metrics?: Record<string, tf.Scalar | number>;
}

/** kind `objective`: the per-token surrogate loss (the clipping rule). */
export interface PolicyObjective {
  perToken(input: ObjectiveInput): ObjectiveOutput;
  /** Aggregation this objective is defined with; a different user choice is an error. */
  readonly requiredAggregation?: string;
  state?(): unknown;
  loadState?(state: unknown): void;
}

export interface AggregationInput {
  /** `[B, T]` per-token values. */
  perToken: tf.Tensor2D;
  lossMask: tf.Tensor2D;
  /** Global counts of the whole mini-batch, so micro-batches sum to the big-batch value. */
  counts: GlobalCounts;
  batch: Batch;
}

/** kind `aggregation`: reduces a `[B, T]` loss to a scalar. */
export interface LossAggregation {
  aggregate(input: AggregationInput): tf.Scalar;
}

/** kind `regularizer`: a loss term, or a per-token reward penalty applied before advantages. */
export interface Regularizer {
  /** `[B, T]` per-token loss, aggregated with the recipe's aggregation and added to the loss. */
  perToken?(input: ObjectiveInput): ObjectiveOutput;
  /** `[B, T]` per-token reward penalty (KL in reward), applied before advantage estimation. */
  rewardPenalty?(input: { batch: Batch; refLogProbs?: tf.Tensor2D }): tf.Tensor2D;
  /** Called after each step with that step's metrics (adaptive coefficients). */
  update?(metrics: Record<string, number>): void;
  state?(): unknown;
  loadState?(state: unknown): void;
}
