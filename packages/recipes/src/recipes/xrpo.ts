import { defineMethod } from '@tirl/core';

export const xrpo = defineMethod({
  name: 'xrpo',
  extends: 'grpo',
  paper: { title: 'XRPO: Pushing the limits of GRPO with Targeted Exploration and Exploitation', arxiv: '2510.06672', section: '3.1 (allocator), in-context seeding, 3.3 (novelty sharpening)' },
  description: 'GRPO with uncertainty-driven rollout allocation, in-context seeding of all-fail prompts with the policy\'s own solved examples, and a novelty bonus for unlikely correct answers',
  plugins: [
    // §3.1: rollouts go where the 95% t-interval of mean reward is widest (constants unverified, plugin defaults).
    // Seeding (abstract: "injects curated exemplars" into zero-reward prompts): 2 nearest verified exemplars
    // (k unverified).
    ['sampler/xrpo-allocator', { seedExemplars: 2 }],
    // §3.3: λ = κ = 1 (unverified in the paper text; plugin defaults).
    ['advantageTransform/xrpo-novelty'],
    ['regularizer/kl', { coef: 0 }],
  ],
});
