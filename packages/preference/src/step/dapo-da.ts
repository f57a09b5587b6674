import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, TirlError } from '@tirl/core';
import { z } from 'zod';
import { trainedRuns } from './runs';

const NAME = 'dapo-da';

/**
 * DAPO-DA actor loss (Direct Advantage Policy Optimization; "dapo-da" so it does not clash with DAPO):
 * per step k of a row (a maximal run of trained tokens — one assistant turn), the step log-ratio
 * r = Σ_{t∈k} (ℓ_θ − ℓ_ref) is regressed onto the scaled step advantage: L_k = (r − A_k/β)², A_k the mean
 * advantage on the step's tokens. Each token of step k carries L_k/|k|, so `seq-mean-token-sum` gives the
 * mean over rows of Σ_k L_k. No clipping, no ratio to the behaviour policy.
 */
export const dapoDaObjective = definePlugin({
  kind: 'objective',
  name: NAME,
  summary: 'DAPO-DA: squared loss pulling each step\'s log-ratio to the reference onto its advantage / β',
  paper: {
    title: 'Improving Multi-Step Reasoning Abilities of Large Language Models with Direct Advantage Policy Optimization',
    arxiv: '2412.18279',
    section: '§3 (actor objective: log-ratio regressed onto the critic\'s step advantage); β = 0.1 is ours (UNVERIFIED in the paper)',
  },
  requires: ['refLogProbs'],
  options: z
    .object({
      beta: z.number().positive().default(0.1),
      /** `ratio`: (r − A/β)²; `beta`: (β·r − A)² (same minimiser, gradient scaled by β²). */
      scale: z.enum(['ratio', 'beta']).default('ratio'),
    })
    .strict(),
  create: (o) => ({
    requiredAggregation: 'seq-mean-token-sum',
    perToken(input) {
      if (!input.refLogProbs) throw new TirlError(`objective/${NAME}: reference log-probs are missing`, 'missing-input');
      const mask = input.lossMask.arraySync() as number[][];
      const [B, T] = input.lossMask.shape;
      const runs = mask.map(trainedRuns);
      const K = Math.max(1, ...runs.map((r) => r.length));
      // S[b, t, k] = 1 when token t of row b is in its step k; share[b, k] = 1/|k|.
      const S = new Float32Array(B * T * K);
      const share = new Float32Array(B * K);
      runs.forEach((list, b) =>
        list.forEach((run, k) => {
          for (let t = run.start; t < run.end; t++) S[(b * T + t) * K + k] = 1;
          share[b * K + k] = 1 / (run.end - run.start);
        }),
      );
      return tf.tidy(() => {
        const steps = tf.tensor3d(S, [B, T, K]);
        const perStep = (x: tf.Tensor2D) => tf.squeeze(tf.matMul(tf.expandDims(x, 1) as tf.Tensor3D, steps), [1]) as tf.Tensor2D;
        const shares = tf.tensor2d(share, [B, K]);
        const clean = (x: tf.Tensor2D) => tf.where(tf.greater(input.lossMask, 0), x, tf.zerosLike(x)) as tf.Tensor2D;
        const ratio = perStep(clean(tf.sub(input.logProbs, input.refLogProbs!) as tf.Tensor2D));
        const advantage = tf.mul(perStep(clean(input.advantages)), shares);
        const diff = o.scale === 'ratio' ? tf.sub(ratio, tf.div(advantage, o.beta)) : tf.sub(tf.mul(o.beta, ratio), advantage);
        const stepLoss = tf.mul(tf.square(diff), shares);
        const perToken = tf.squeeze(tf.matMul(steps, tf.expandDims(stepLoss, 2) as tf.Tensor3D), [2]) as tf.Tensor2D;
        const used = tf.greater(shares, 0);
        const n = Math.max(1, runs.reduce((a, r) => a + r.length, 0));
        return {
          perToken,
          metrics: {
            [`objective/${NAME}/step_log_ratio`]: tf.div(tf.sum(tf.where(used, ratio, tf.zerosLike(ratio))), n).dataSync()[0],
            [`objective/${NAME}/steps_per_row`]: n / Math.max(1, runs.filter((r) => r.length).length),
          },
        };
      });
    },
  }),
});
