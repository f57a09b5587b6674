import { defineMethod } from '@tirl/core';

export const themis = defineMethod({
  name: 'themis',
  extends: 'ppo',
  paper: { title: 'Tool-Augmented Reward Modeling', arxiv: '2310.01045', section: '3 (Themis: tool invocation, rationale, reward), 4.5 (RLHF with Themis)' },
  description: 'PPO rewarded by a tool-augmented reward model that calls the run\'s tools before it judges',
  plugins: [
    // generate_themis.py: at most 3 tool interactions per judgement. The judge model is the host's
    // (Tokens.policy) unless `judge` names an endpoint.
    ['reward/tool-augmented-rm', { judge: { source: 'policy' }, maxInteractions: 3 }],
  ],
  scoresCorrectness: true,
});
