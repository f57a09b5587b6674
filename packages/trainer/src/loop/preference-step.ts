import * as tf from '@tensorflow/tfjs-core';
import { TirlError, type Experiment, type PreferencePair, type Rng, type Sample, type Tokenizer } from '@tirl/core';
import type { AdamW } from '../optim/adamw';
import { accumulate } from '../optim/gradients';
import type { TrainerSettings } from '../settings';
import type { Collected } from './collect';
import { guardedUpdate } from './guarded-update';
import type { TrainableModel } from './model';
import { buildPairBatch, sidesOf } from './pair-batch';

export interface PreferenceStepInput {
  exp: Experiment;
  settings: TrainerSettings;
  model: TrainableModel;
  referenceModel?: TrainableModel;
  optimizer: AdamW;
  tokenizer: Tokenizer;
  dataset: ReadonlyMap<string, Sample>;
  step: number;
  rng: Rng;
  /** Rolls out and scores this step's prompts (for a pair source that mines rollouts). */
  collect: () => Promise<Collected>;
  learningRate: () => number;
  nonFiniteInARow: number;
}

/**
 * One preference step: pairs from the recipe's `pairs` plugin (offline samples, or mined from this
 * step's scored rollouts), the `preference` loss meaned over the pairs of each mini-batch, gradient
 * accumulation over micro-batches of `microBatchRows` pairs, clipping, one update per mini-batch; the
 * `referenceSchedule`, when the recipe has one, moves the reference before and after.
 */
export async function preferenceStep(o: PreferenceStepInput): Promise<{ metrics: Record<string, number>; nonFiniteInARow: number }> {
  const { exp, settings } = o;
  const source = exp.get('pairs');
  const metrics: Record<string, number> = {};
  let samples: Sample[];
  let trees;
  if (source.fromRollouts) {
    const collected = await o.collect();
    Object.assign(metrics, collected.metrics);
    trees = collected.trees;
    samples = [...new Set(trees.map((t) => t.sampleId))].map((id) => o.dataset.get(id)).filter((s): s is Sample => s !== undefined);
  } else {
    samples = exp.get('sampler').next(settings.promptsPerStep, o.step).map((p) => p.sample);
  }
  const mined = source.pairs({ samples, ...(trees ? { trees } : {}), step: o.step, tokenizer: o.tokenizer, rng: o.rng.fork('pairs') });
  Object.assign(metrics, mined.metrics ?? {});
  const pairs = mined.pairs.filter((p) => p.promptIds.length + Math.max(p.chosenIds.length, p.rejectedIds.length) > 0);
  metrics['pairs/count'] = pairs.length;

  const schedule = exp.maybe('referenceSchedule');
  const weights = o.model.trainableWeights?.() ?? o.model.namedWeights();
  const scheduleInput = (step: number) => {
    const reference = o.referenceModel?.namedWeights();
    if (!reference) throw new TirlError(`Recipe "${exp.recipe.name}" has a referenceSchedule but no reference model: its preference loss must require refLogProbs`, 'missing-input');
    const policy = o.model.namedWeights();
    if ([...reference.values()].some((v) => [...policy.values()].includes(v))) {
      throw new TirlError('A referenceSchedule moves the reference weights, but this reference shares weights with the policy (LoRA: the base with adapters off). Train without LoRA.', 'invalid-options');
    }
    return { step, policy, reference, rng: o.rng.fork('reference') };
  };
  Object.assign(metrics, schedule?.beforeStep?.(scheduleInput(o.step)) ?? {});

  let nonFinite = o.nonFiniteInARow;
  let updates = 0;
  const sums: Record<string, number> = {};
  for (let epoch = 0; epoch < settings.ppoEpochs && pairs.length; epoch++) {
    const order = o.rng.fork(`epoch-${epoch}`).shuffle(pairs.map((_, i) => i));
    const size = Math.ceil(order.length / settings.miniBatches);
    for (let start = 0; start < order.length; start += size) {
      const mini = order.slice(start, start + size).map((i) => pairs[i]);
      const stepMetrics: Record<string, number> = {};
      const { grads, loss } = pairGradients(o, mini, weights, stepMetrics);
      const update = guardedUpdate({
        grads, loss, weights, optimizer: o.optimizer, learningRate: o.learningRate, settings, nonFiniteInARow: nonFinite, metrics,
        advice: 'Lower optimizer.lr or check the pairs.',
      });
      nonFinite = update.nonFiniteInARow;
      if (!update.applied) continue;
      const { norm, lr } = update.applied;
      updates += 1;
      Object.assign(stepMetrics, { 'loss/total': loss, 'loss/policy': loss, 'update/grad_norm': norm, 'update/lr': lr });
      for (const [k, v] of Object.entries(stepMetrics)) sums[k] = (sums[k] ?? 0) + v;
    }
  }
  for (const [k, v] of Object.entries(sums)) metrics[k] = v / Math.max(1, updates);
  metrics['update/count'] = updates;
  Object.assign(metrics, schedule?.afterStep?.(scheduleInput(o.step + 1)) ?? {});
  return { metrics, nonFiniteInARow: nonFinite };
}

/** Summed gradients of the mean loss over `pairs`, accumulated over micro-batches; the loss and metrics are means over the pairs. */
function pairGradients(
  o: PreferenceStepInput,
  pairs: readonly PreferencePair[],
  weights: Map<string, tf.Variable>,
  metrics: Record<string, number>,
): { grads: Map<string, tf.Tensor>; loss: number } {
  const byTfName = new Map([...weights].map(([name, v]) => [v.name, name]));
  const preference = o.exp.get('preference');
  const needRef = o.exp.requirements.has('refLogProbs');
  const grads = new Map<string, tf.Tensor>();
  let loss = 0;
  for (let start = 0; start < pairs.length; start += o.settings.microBatchRows) {
    const part = pairs.slice(start, start + o.settings.microBatchRows);
    const batch = buildPairBatch(part, o.tokenizer.padTokenId);
    const ref = needRef ? tf.tidy(() => o.referenceModel!.logProbs(batch.ids, batch.attentionMask).logProbs) : undefined;
    o.model.training = true;
    let result;
    try {
      result = tf.variableGrads(() => {
        const { logProbs } = o.model.logProbs(batch.ids, batch.attentionMask);
        const out = preference.perPair({ ...sidesOf(batch, logProbs, ref), pairs: part });
        const share = part.length / pairs.length;
        for (const [k, v] of Object.entries(out.metrics ?? {})) metrics[k] = (metrics[k] ?? 0) + (typeof v === 'number' ? v : v.dataSync()[0]) * share;
        return tf.div(tf.sum(out.perPair), pairs.length) as tf.Scalar;
      }, [...weights.values()]);
    } finally {
      o.model.training = false;
    }
    loss += result.value.dataSync()[0];
    accumulate(grads, Object.fromEntries(Object.entries(result.grads).map(([k, t]) => [byTfName.get(k) ?? k, t])));
    tf.dispose([result.value, ...(ref ? [ref] : [])]);
    batch.dispose();
  }
  return { grads, loss };
}
