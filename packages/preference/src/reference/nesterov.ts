import * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { assignWeights, disposeWeights, snapshot } from './weights';

const ID = 'referenceSchedule/nesterov';

/**
 * APO's iterative DPO with Nesterov extrapolation, in parameter space (§5.2): a round is `every` steps
 * of preference training against the reference π_t. At the end of round t the trained policy is the
 * proximal iterate θ̂_{t+1}; the next policy and reference are θ_{t+1} = θ̂_{t+1} + α(θ̂_{t+1} − θ̂_t)
 * (momentum between proximal iterates, θ̂_0 = the initial policy). The last round is not extrapolated, so
 * the run ends on θ̂_{T+1}. α = 0 is plain iterative DPO (reference ← policy every round).
 */
export const nesterovReference = definePlugin({
  kind: 'referenceSchedule',
  name: 'nesterov',
  summary: 'APO: iterative DPO rounds; after each, policy and reference jump to θ̂ + α(θ̂ − θ̂_prev)',
  paper: {
    title: 'Accelerated Preference Optimization for Large Language Model Alignment',
    arxiv: '2410.06293',
    section: 'Algorithm 1, eq. 3.6–3.7, §5.2 (parameter-space extrapolation); α = 0.3 (App. F.1)',
  },
  options: z
    .object({
      /** α, the extrapolation (momentum) weight (App. F.1: 0.3; 0 = iterative DPO). */
      alpha: z.number().min(0).lt(1).default(0.3),
      /** Steps per round (an iteration of the paper trains on one round's data). */
      every: z.number().int().positive().default(1),
    })
    .strict(),
  create: (o, ctx) => {
    const total = typeof ctx.settings.steps === 'number' ? ctx.settings.steps : Infinity;
    let previous: Map<string, tf.Tensor> | undefined;
    let rounds = 0;
    return {
      beforeStep({ policy }) {
        previous ??= snapshot(policy);
      },
      afterStep({ step, policy, reference }) {
        if (step % o.every !== 0) return;
        const hat = snapshot(policy);
        previous ??= snapshot(policy);
        let moved = 0;
        if (step < total) {
          const next = new Map([...hat].map(([k, v]) => [k, tf.tidy(() => tf.add(v, tf.mul(o.alpha, tf.sub(v, previous!.get(k)!))))]));
          moved = Math.sqrt([...next].reduce((s, [k, v]) => s + tf.tidy(() => tf.sum(tf.square(tf.sub(v, hat.get(k)!))).dataSync()[0]), 0));
          assignWeights(policy, next, ID);
          assignWeights(reference, next, ID);
          disposeWeights(next);
        } else assignWeights(reference, hat, ID);
        disposeWeights(previous);
        previous = hat;
        rounds += 1;
        return { [`${ID}/rounds`]: rounds, [`${ID}/extrapolation_norm`]: moved };
      },
      state: () => ({ rounds }),
      loadState(state: unknown) {
        rounds = (state as { rounds: number }).rounds;
      },
      dispose() {
        disposeWeights(previous);
        previous = undefined;
      },
    };
  },
});
