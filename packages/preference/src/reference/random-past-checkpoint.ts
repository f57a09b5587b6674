import type * as tf from '@tensorflow/tfjs-core';
import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { assignWeights, disposeWeights, snapshot } from './weights';

const ID = 'referenceSchedule/random-past-checkpoint';

/**
 * SePPO's reference: the policy is saved every `interval` steps (the first save at step 0, at most
 * `keep` kept, oldest dropped — the initial one too); before each step the reference becomes one saved
 * checkpoint: uniformly random (`random`, the paper's choice), the first kept (`initial`) or the newest (`latest`).
 */
export const randomPastCheckpoint = definePlugin({
  kind: 'referenceSchedule',
  name: 'random-past-checkpoint',
  summary: 'SePPO: the reference is a uniformly drawn previous checkpoint of the policy, re-drawn every step',
  paper: {
    title: 'SePPO: Semi-Policy Preference Optimization for Diffusion Alignment',
    arxiv: '2410.05255',
    section: '§3 (reference model selection: random among previous checkpoints); interval 30 and K = 7 from the text-to-image run',
  },
  options: z
    .object({
      interval: z.number().int().positive().default(30),
      keep: z.number().int().positive().default(7),
      mode: z.enum(['random', 'initial', 'latest']).default('random'),
    })
    .strict(),
  create: (o) => {
    let saved: { step: number; weights: Map<string, tf.Tensor> }[] = [];
    return {
      beforeStep({ step, policy, reference, rng }) {
        if (step % o.interval === 0 && saved.at(-1)?.step !== step) {
          saved.push({ step, weights: snapshot(policy) });
          while (saved.length > o.keep) disposeWeights(saved.shift()!.weights);
        }
        if (!saved.length) return;
        const k = o.mode === 'random' ? rng.int(saved.length) : o.mode === 'initial' ? 0 : saved.length - 1;
        assignWeights(reference, saved[k].weights, ID);
        return { [`${ID}/reference_step`]: saved[k].step, [`${ID}/kept`]: saved.length };
      },
      dispose() {
        for (const s of saved) disposeWeights(s.weights);
        saved = [];
      },
    };
  },
});
