import { defineMethod } from '@tirl/core';

/**
 * What every method shares unless it says otherwise: a seeded epoch-shuffled sampler, independent
 * multi-turn rollouts, and the DAPO token-mean loss aggregation. The advantage and the objective belong to
 * each method; tools, tool format and the correctness reward to the task.
 */
export const base = defineMethod({
  name: 'base',
  description: 'Shared defaults: epoch-shuffle sampler, linear rollouts, token-mean aggregation',
  plugins: [['sampler/epoch-shuffle'], ['rollout/linear'], ['aggregation/token-mean']],
});
