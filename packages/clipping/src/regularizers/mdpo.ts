import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, TirlError, type ObjectiveInput, type Regularizer } from '@tirl/core';
import { z } from 'zod';
import { maskedMean, metricKey } from '../math/host';
import { cleanInput } from '../math/objective-input';
import { logRatio, maskOut } from '../math/tensor';

const PAPER = { title: 'Mirror Descent Policy Optimization', arxiv: '2005.09814' } as const;

/**
 * `1/t_k` after `k` finished iterations of `K`. `paper`: t_k = 1 − k/K (k = 0 … K−1); `code` (the
 * authors' mdpo_on): t_k = 1 − (k − 1)/K, i.e. t_0 = 1 + 1/K; `constant`: 1/t = `coef` (mdpo_off's klconst).
 * Never evaluated at k = K (1/t would be infinite): k is held at K − 1.
 */
export function mdpoCoefficient(schedule: 'paper' | 'code' | 'constant', k: number, K: number, coef: number): number {
  if (schedule === 'constant') return coef;
  const kk = Math.min(k, K - 1);
  const t = schedule === 'paper' ? 1 - kk / K : 1 - (kk - 1) / K;
  return 1 / t;
}

const shape = {
  /** Step-size schedule of the trust region (§3-4; code: `1 − (k−1)/K`). */
  schedule: z.enum(['paper', 'code', 'constant']).default('paper'),
  /** K: planned iterations (training steps); null = the run's `settings.steps`. */
  iterations: z.number().int().positive().nullable().default(null),
  /** 1/t for `schedule: 'constant'` (mdpo_off `klconst`, README 1.0). */
  coef: z.number().positive().default(1),
  /** |log-ratio| is clamped to this before exp. */
  logRatioClamp: z.number().positive().default(20),
};

type Options = { schedule: 'paper' | 'code' | 'constant'; iterations: number | null; coef: number; logRatioClamp: number };

function horizon(name: string, o: Options, settings: Readonly<Record<string, unknown>>): number {
  const K = o.iterations ?? settings.steps;
  if (o.schedule !== 'constant' && (typeof K !== 'number' || !Number.isInteger(K) || K < 1)) {
    throw new TirlError(`regularizer/${name}: iterations is not set and the run has no settings.steps; set iterations (K, the planned training steps)`, 'invalid-options');
  }
  return typeof K === 'number' ? K : 1;
}

/**
 * `kl_t/t_k` per token with `kl_t = w·(u·log u − u + 1)`, `u = π_θ/π_anchor`: an unbiased, non-negative
 * estimate of KL(π_θ ‖ π_anchor) from tokens sampled by the anchor (`w = 1`) or by a behaviour policy
 * (`w = π_anchor/π_behav`, stop-gradient). Gradient `w·u·log u / t_k`: zero at u = 1.
 */
function mdpoRegularizer(name: string, o: Options, settings: Readonly<Record<string, unknown>>, offPolicy: boolean): Regularizer {
  const K = horizon(name, o, settings);
  let k = 0;
  return {
    perToken(input: ObjectiveInput) {
      if (offPolicy && !input.proximalLogProbs) {
        throw new TirlError(`regularizer/${name} needs proximalLogProbs; the trainer provides them because the plugin requires them`, 'missing-input');
      }
      const c = mdpoCoefficient(o.schedule, k, K, o.coef);
      return tf.tidy(() => {
        const clean = cleanInput(input);
        const anchor = offPolicy ? maskOut(input.proximalLogProbs!, clean.mask) : clean.oldLogProbs;
        const logU = logRatio(clean.logProbs, anchor, o.logRatioClamp);
        const u = tf.exp(logU);
        let kl: tf.Tensor2D = tf.add(tf.sub(tf.mul(u, logU), u), 1) as tf.Tensor2D;
        if (offPolicy) kl = tf.mul(kl, tf.exp(logRatio(anchor, clean.oldLogProbs, o.logRatioClamp))) as tf.Tensor2D;
        const perToken = tf.mul(tf.mul(kl, clean.mask), c) as tf.Tensor2D;
        const metrics = {
          [metricKey('regularizer', name, 'kl')]: maskedMean(kl.dataSync(), clean.mask.dataSync()),
          [metricKey('regularizer', name, 'coef')]: c,
        };
        return { perToken, metrics };
      });
    },
    update(metrics) {
      if (typeof metrics.step === 'number') k = metrics.step + 1;
    },
    state: () => ({ iterations: k }),
    loadState(state) {
      const value = (state as { iterations?: unknown })?.iterations;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new TirlError(`regularizer/${name}: state must be { iterations: non-negative integer }`, 'invalid-data');
      }
      k = value;
    },
  };
}

/**
 * MDPO on-policy (mdpo_on, `multistep-SGD`): the trust-region term KL(π_θ ‖ π_k)/t_k of
 * argmax E[(π_θ/π_k)·Â] − (1/t_k)·E[KL(π_θ ‖ π_k)], with π_k the policy that sampled the batch. Pair with
 * `objective/reinforce` (`importanceSampling: true`, no clipping) and several updates per batch.
 */
export const mdpoKl = definePlugin({
  kind: 'regularizer',
  name: 'mdpo-kl',
  summary: 'MDPO on-policy: KL(π_θ ‖ π_old)/t_k to the policy that sampled the batch, with the annealed step size t_k',
  paper: { ...PAPER, section: '4.1 (on-policy MDPO; t_k = 1 − k/K)' },
  options: z.object(shape).strict(),
  create: (o, ctx) => mdpoRegularizer('mdpo-kl', o, ctx.settings, false),
});

/**
 * MDPO off-policy (mdpo_off): the anchor π_k is the policy at the start of this update step (refreshed
 * every step), while the tokens come from an older behaviour policy (stale or replayed rollouts): the KL
 * to π_k is importance-weighted by π_k/π_behav. The authors' code keeps `klconst` fixed (`schedule:
 * 'constant'`, coef 1).
 */
export const mdpoKlOffPolicy = definePlugin({
  kind: 'regularizer',
  name: 'mdpo-kl-off-policy',
  summary: 'MDPO off-policy: KL(π_θ ‖ π_k)/t_k to the policy at the start of the step, importance-weighted from the behaviour policy',
  paper: { ...PAPER, section: '4.2 (off-policy MDPO; code klconst 1.0)' },
  requires: ['proximalLogProbs'],
  options: z.object({ ...shape, schedule: shape.schedule.default('constant') }).strict(),
  create: (o, ctx) => mdpoRegularizer('mdpo-kl-off-policy', o, ctx.settings, true),
});
