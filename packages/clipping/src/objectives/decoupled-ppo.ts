import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, TirlError } from '@tirl/core';
import { z } from 'zod';
import { maskedFraction, maskedMean, metricKey } from '../math/host';
import { cleanInput } from '../math/objective-input';
import { clippedSurrogate } from '../math/surrogate';
import { logRatio, maskOut } from '../math/tensor';

const NAME = 'decoupled-ppo';

/**
 * AReaL's decoupled PPO objective for stale (asynchronous) rollouts. The trust region is centred on the
 * proximal policy π_prox (the learner's parameters at the start of the step), not on the behaviour policy
 * π_behav that sampled the tokens (possibly several versions old):
 *
 *   L = −w · min(r·A, clip(r, 1 − ε_low, 1 + ε_high)·A),   r = π_θ/π_prox,   w = sg(π_prox/π_behav)
 *
 * with tokens whose behaviour weight w exceeds `behaviourWeightCap` dropped (w = 0), as AReaL's
 * `behav_imp_weight_cap` does. When rollouts are on-policy (π_prox = π_behav) it is PPO exactly.
 */
export const decoupledPpo = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'AReaL decoupled PPO: clip against the proximal policy, reweight by proximal/behaviour (stale rollouts)',
  paper: {
    title: 'AReaL: A Large-Scale Asynchronous Reinforcement Learning System for Language Reasoning',
    arxiv: '2505.24298',
    section: 'decoupled PPO objective (§5, eq. 5); ε = 0.2 from PPO 1707.06347; no weight cap by default, as AReaL',
  },
  requires: ['proximalLogProbs'],
  options: z
    .object({
      /** Lower clip: r ≥ 1 − epsLow (PPO 0.2). */
      epsLow: z.number().positive().default(0.2),
      /** Upper clip: r ≤ 1 + epsHigh (PPO 0.2). */
      epsHigh: z.number().positive().default(0.2),
      /** Tokens with π_prox/π_behav above this are dropped; `null` (AReaL's default) keeps all. Must exceed 1. */
      behaviourWeightCap: z.number().gt(1).nullable().default(null),
      /** |log-ratio| is clamped to this before exp (verl: 20). */
      logRatioClamp: z.number().positive().default(20),
    })
    .strict(),
  create: (o) => ({
    perToken(input) {
      if (!input.proximalLogProbs) {
        throw new TirlError(`objective/${NAME} needs proximalLogProbs; the trainer provides them because the plugin requires them`, 'missing-input');
      }
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const proximal = maskOut(input.proximalLogProbs!, clean.mask);
        const ratio = tf.exp(logRatio(clean.logProbs, proximal, o.logRatioClamp)) as tf.Tensor2D;
        const s = clippedSurrogate(ratio, clean.advantages, 1 - o.epsLow, 1 + o.epsHigh, null);
        const weight = tf.exp(tf.clipByValue(tf.sub(proximal, clean.oldLogProbs), -o.logRatioClamp, o.logRatioClamp));
        const kept = o.behaviourWeightCap === null ? clean.mask : tf.mul(clean.mask, tf.cast(tf.lessEqual(weight, o.behaviourWeightCap), 'float32'));
        const w = tf.mul(weight, kept);
        const mask = clean.mask.dataSync();
        const metrics: Record<string, number> = {
          [metricKey('objective', NAME, 'clip_fraction')]: maskedFraction(s.clipped, clean.mask),
          [metricKey('objective', NAME, 'behaviour_weight_mean')]: maskedMean(w.dataSync(), mask),
          [metricKey('objective', NAME, 'dropped_fraction')]: maskedFraction(tf.sub(clean.mask, kept) as tf.Tensor2D, clean.mask),
        };
        return { perToken: tf.mul(tf.mul(s.loss, clean.mask), w) as tf.Tensor2D, metrics };
      });
    },
  }),
});
