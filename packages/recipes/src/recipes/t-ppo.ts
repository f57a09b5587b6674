import { defineMethod } from '@tirl/core';

/**
 * T-PPO: PPO whose responses grow by a window per step (successive batching); the policy trains every
 * step on the new tokens of finished and unfinished responses, with Extended GAE bootstrapping unfinished
 * ones by V(s_l) = V(s_{l−1}); the value model trains on finished responses only.
 */
export const tPpo = defineMethod({
  name: 't-ppo',
  extends: 'ppo',
  paper: { title: 'Truncated Proximal Policy Optimization', arxiv: '2506.15050', section: '3 (Extended GAE, successive batching, decoupled policy and value updates)' },
  description: 'PPO over windowed, successive generations: Extended GAE for unfinished responses, value updates on finished ones',
  plugins: [
    // §3: generations grow by a window per step; cut responses continue next step (window UNVERIFIED: 512).
    ['rollout/successive-window', { window: 512 }],
    // §3: Extended GAE; the critic is trained on finished responses only (decoupled value update). γ = λ = 1 as `ppo` (UNVERIFIED).
    ['advantage/egae', { gamma: 1, lambda: 1, valueOn: 'finished' }],
  ],
});
