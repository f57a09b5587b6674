import { defineMethod } from '@tirl/core';

export const mpo = defineMethod({
  name: 'mpo',
  extends: 'ppo',
  paper: {
    title: 'Toward Evaluative Thinking: Meta Policy Optimization with Evolving Reward Models',
    arxiv: '2504.20157',
    section: '3 (MPO loop); mpo_config.py (num_mpo_interval 10, num_mpo_samples 20, kl_coef 0.05 k1)',
  },
  description: 'PPO with an LLM rubric judge whose rubric a meta-judge rewrites every 10 updates from recent graded rollouts',
  plugins: [
    // mpo_config.py: num_mpo_interval 10, num_mpo_samples 20.
    ['reward/evolving-rubric', { judge: { source: 'policy' }, interval: 10, samples: 20 }],
    // mpo_config.py: kl_coef 0.05, k1 estimator in the reward.
    ['regularizer/kl', { placement: 'reward', estimator: 'k1', coef: 0.05 }],
  ],
  scoresCorrectness: true,
});
