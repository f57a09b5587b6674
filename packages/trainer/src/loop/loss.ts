import * as tf from '@tensorflow/tfjs-core';
import type { Batch, Experiment, GlobalCounts, ObjectiveInput } from '@tirl/core';
import { batchLogProbs, type TrainableModel } from './model';

export interface MicroBatch {
  batch: Batch;
  /** `[b, T]` advantages of these rows. */
  advantages: tf.Tensor2D;
  /** `[b, T]` reference log-probs of these rows, when a plugin requires them. */
  refLogProbs?: tf.Tensor2D;
  /** `[b, T]` proximal log-probs of these rows, when a plugin requires them. */
  proximalLogProbs?: tf.Tensor2D;
  /** Counts of the whole mini-batch this micro-batch belongs to. */
  counts: GlobalCounts;
}

/**
 * The policy loss of one micro-batch: objective per token, aggregated with the mini-batch's global
 * counts, plus every regularizer's loss term. Summing it over the micro-batches of a mini-batch gives
 * exactly the mini-batch loss. Diagnostics land in `metrics` (host numbers).
 */
export function microBatchLoss(
  exp: Experiment,
  model: TrainableModel,
  micro: MicroBatch,
  needEntropy: boolean,
  metrics: Record<string, number>,
): tf.Scalar {
  const { batch, counts } = micro;
  const { logProbs, entropies } = batchLogProbs(model, batch, { entropy: needEntropy });
  const input: ObjectiveInput = {
    logProbs,
    oldLogProbs: batch.oldLogProbs,
    advantages: micro.advantages,
    lossMask: batch.lossMask,
    refLogProbs: micro.refLogProbs,
    proximalLogProbs: micro.proximalLogProbs,
    entropies,
    counts,
    batch,
  };
  const aggregation = exp.get('aggregation');
  const objective = exp.get('objective').perToken(input);
  let loss = aggregation.aggregate({ perToken: objective.perToken, lossMask: batch.lossMask, counts, batch });
  addMetrics(metrics, objective.metrics, counts, batch);
  metrics['loss/policy'] = (metrics['loss/policy'] ?? 0) + loss.dataSync()[0];
  for (const reg of exp.plugins.filter((p) => p.kind === 'regularizer')) {
    const term = (reg.instance as { perToken?: (i: ObjectiveInput) => { perToken: tf.Tensor2D; metrics?: Record<string, tf.Scalar | number> } }).perToken?.(input);
    if (!term) continue;
    const value = aggregation.aggregate({ perToken: term.perToken, lossMask: batch.lossMask, counts, batch });
    metrics[`loss/${reg.id}`] = (metrics[`loss/${reg.id}`] ?? 0) + value.dataSync()[0];
    addMetrics(metrics, term.metrics, counts, batch);
    loss = tf.add(loss, value);
  }
  return loss;
}

/** Objective metrics are means over this micro-batch; weight them by its share of the mini-batch tokens. */
function addMetrics(
  into: Record<string, number>,
  metrics: Record<string, tf.Scalar | number> | undefined,
  counts: GlobalCounts,
  batch: Batch,
): void {
  if (!metrics) return;
  const tokens = batch.lossMaskValues.reduce((a, b) => a + b, 0);
  const share = counts.tokens > 0 ? tokens / counts.tokens : 0;
  for (const [key, value] of Object.entries(metrics)) {
    const v = typeof value === 'number' ? value : value.dataSync()[0];
    into[key] = (into[key] ?? 0) + v * share;
  }
}
