import { defineMethod } from '@tirl/core';

export const xrpo = defineMethod({
  name: 'xrpo',
  extends: 'grpo',
  paper: { title: 'XRPO: Pushing the Limits of GRPO with Targeted Exploration and Exploitation', arxiv: '2510.06672', section: '3.1 (allocator), 3.3 (novelty sharpening)' },
  description: 'GRPO with uncertainty-driven rollout allocation per prompt and a novelty bonus for unlikely correct answers',
  plugins: [
    // §3.1: rollouts go where the 95% t-interval of mean reward is widest (constants unverified, plugin defaults).
    ['sampler/xrpo-allocator'],
    // §3.3: λ = κ = 1 (unverified in the paper text; plugin defaults).
    ['advantageTransform/xrpo-novelty'],
    ['regularizer/kl', { coef: 0 }],
  ],
});
