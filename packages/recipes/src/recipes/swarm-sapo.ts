import { defineMethod } from '@tirl/core';

/**
 * Swarm SAPO: nodes share decoded rollouts; each trains on I of its own groups plus J peers' groups,
 * re-scored with its own reward. Constants from the public swarm config (gensyn-ai/rl-swarm
 * `rgym_exp/config/rg-swarm.yaml`: num_train_samples I = 2, num_transplant_trees J = 2, ε 0.2/0.28,
 * β = 0) and the genrl GRPO step (advantage ε 1e-8, unbiased std, one iteration, token mean).
 */
export const swarmSapo = defineMethod({
  name: 'swarm-sapo',
  extends: 'base',
  paper: { title: 'Sharing is Caring: Efficient LM Post-Training with Collective RL Experience Sharing', arxiv: '2509.08721', section: '3' },
  description: "Decentralised swarm: I local + J peers' rollout groups per step, re-scored locally; GRPO clip 0.2/0.28, no KL",
  plugins: [
    ['advantage/grpo', { eps: 1e-8, stdKind: 'unbiased' }],
    ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.28 }],
    ['aggregation/token-mean'],
  ],
  // J = 2 peers' groups per step; peers' rollouts carry no log-probs of this model, and with one iteration
  // ℓ_old = sg(ℓ) (ratio 1), so the old log-probs are this model's own just before the update.
  settings: { swarm: { external: 2 }, oldLogProbs: 'recompute', ppoEpochs: 1 },
});
