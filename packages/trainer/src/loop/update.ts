import * as tf from '@tensorflow/tfjs-core';
import { countBatch, rowsByRoot, sliceRows, type Batch, type Experiment, type Rng } from '@tirl/core';
import type { AdamW } from '../optim/adamw';
import { accumulate } from '../optim/gradients';
import type { TrainerSettings } from '../settings';
import { guardedUpdate } from './guarded-update';
import { microBatchLoss } from './loss';
import type { TrainableModel } from './model';

export interface UpdateInput {
  exp: Experiment;
  model: TrainableModel;
  optimizer: AdamW;
  settings: TrainerSettings;
  batch: Batch;
  /** `[B, T]` advantages of the whole batch. */
  advantages: tf.Tensor2D;
  refLogProbs?: tf.Tensor2D;
  /** `[B, T]` log-probs at the start of the step (decoupled PPO's proximal policy), when required. */
  proximalLogProbs?: tf.Tensor2D;
  needEntropy: boolean;
  rng: Rng;
  /** Learning rate of the next optimizer update. */
  learningRate: () => number;
  /** Non-finite updates in a row so far (carried across steps). */
  nonFiniteInARow: number;
}

export interface UpdateResult {
  metrics: Record<string, number>;
  nonFiniteInARow: number;
}

/**
 * PPO epochs over mini-batches cut by root trajectory (a root and all its sub-agent rows stay
 * together), micro-batches with gradient accumulation, global-norm clipping, a non-finite guard, and one
 * optimizer update per mini-batch.
 */
export function updatePolicy(input: UpdateInput): UpdateResult {
  const { settings, batch } = input;
  const weights = trainableWeightsOf(input.model);
  const metrics: Record<string, number> = {};
  let nonFinite = input.nonFiniteInARow;
  let updates = 0;
  for (let epoch = 0; epoch < settings.ppoEpochs; epoch++) {
    for (const rows of miniBatchRows(batch, settings.miniBatches, input.rng)) {
      const stepMetrics: Record<string, number> = {};
      const { grads, loss } = miniBatchGradients(input, rows, stepMetrics);
      const update = guardedUpdate({
        grads, loss, weights, optimizer: input.optimizer, learningRate: input.learningRate, settings, nonFiniteInARow: nonFinite, metrics,
        advice: 'Lower optimizer.lr, check rewards for NaN, or raise maxNonFiniteUpdates.',
      });
      nonFinite = update.nonFiniteInARow;
      if (!update.applied) continue;
      const { norm, lr } = update.applied;
      updates += 1;
      stepMetrics['loss/total'] = loss;
      stepMetrics['update/grad_norm'] = norm;
      stepMetrics['update/lr'] = lr;
      for (const [k, v] of Object.entries(stepMetrics)) metrics[k] = (metrics[k] ?? 0) + v;
    }
  }
  for (const k of Object.keys(metrics)) if (k !== 'update/skipped_non_finite') metrics[k] /= Math.max(1, updates);
  metrics['update/count'] = updates;
  return { metrics, nonFiniteInARow: nonFinite };
}

/**
 * Summed gradients of one mini-batch (`rows` of the batch), accumulated over micro-batches of
 * `microBatchRows` rows. Every micro-batch loss uses the mini-batch's global counts, so the result does
 * not depend on the micro-batch size.
 */
export function miniBatchGradients(
  input: Pick<UpdateInput, 'exp' | 'model' | 'settings' | 'batch' | 'advantages' | 'refLogProbs' | 'proximalLogProbs' | 'needEntropy'>,
  rows: readonly number[],
  metrics: Record<string, number>,
): { grads: Map<string, tf.Tensor>; loss: number } {
  const weights = trainableWeightsOf(input.model);
  const byTfName = new Map([...weights].map(([name, v]) => [v.name, name]));
  const mini = sliceRows(input.batch, rows);
  const counts = countBatch(mini.lossMaskValues, mini.ids.shape as [number, number], mini.rowKinds, mini.rootIds, input.settings.decode.maxNewTokens);
  const grads = new Map<string, tf.Tensor>();
  let loss = 0;
  for (const micro of chunk(range(rows.length), input.settings.microBatchRows)) {
    const part = sliceRows(mini, micro);
    const index = tf.tensor1d(micro.map((i) => rows[i]), 'int32');
    const advantages = tf.gather(input.advantages, index) as tf.Tensor2D;
    const ref = input.refLogProbs ? (tf.gather(input.refLogProbs, index) as tf.Tensor2D) : undefined;
    const proximal = input.proximalLogProbs ? (tf.gather(input.proximalLogProbs, index) as tf.Tensor2D) : undefined;
    input.model.training = true;
    let result;
    try {
      result = tf.variableGrads(
        () =>
          microBatchLoss(
            input.exp,
            input.model,
            { batch: part, advantages, refLogProbs: ref, proximalLogProbs: proximal, counts },
            input.needEntropy,
            metrics,
          ),
        [...weights.values()],
      );
    } finally {
      input.model.training = false;
    }
    const { value, grads: g } = result;
    loss += value.dataSync()[0];
    accumulate(grads, Object.fromEntries(Object.entries(g).map(([k, t]) => [byTfName.get(k) ?? k, t])));
    tf.dispose([value, index, advantages, ...(ref ? [ref] : []), ...(proximal ? [proximal] : [])]);
    part.dispose();
  }
  mini.dispose();
  return { grads, loss };
}

/** The variables an update differentiates: the adapters of a LoRA model, else every weight. */
function trainableWeightsOf(model: UpdateInput['model']): Map<string, tf.Variable> {
  return model.trainableWeights?.() ?? model.namedWeights();
}

/** Rows of each mini-batch: roots shuffled, then dealt into `n` contiguous mini-batches. */
export function miniBatchRows(batch: Pick<Batch, 'rootIds' | 'rowKinds'>, n: number, rng: Rng): number[][] {
  const roots = rng.shuffle(rowsByRoot(batch));
  const size = Math.ceil(roots.length / n);
  return chunk(roots, Math.max(1, size)).map((group) => group.flat());
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
