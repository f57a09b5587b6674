import { defineMethod } from '@tirl/core';

/**
 * What every recipe shares: a seeded epoch-shuffled sampler, independent multi-turn rollouts, Search-R1
 * tag-style tool calls, and the DAPO token-mean loss aggregation. Rewards, the advantage and the
 * objective belong to each method. Tools depend on the task: add them with overrides.
 */
export const base = defineMethod({
  name: 'base',
  description: 'Shared defaults: epoch-shuffle sampler, linear rollouts, xml-tags tool format, token-mean aggregation',
  plugins: [['sampler/epoch-shuffle'], ['rollout/linear'], ['toolFormat/xml-tags'], ['aggregation/token-mean']],
  settings: {},
});
