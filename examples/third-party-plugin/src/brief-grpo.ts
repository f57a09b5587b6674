import { defineMethod } from '@tirl/core';

/** GRPO (from @tirl/recipes) with this package's brevity bonus added to the task's correctness reward. */
export const briefGrpo = defineMethod({
  name: 'brief-grpo',
  extends: 'grpo',
  description: 'GRPO with a brevity bonus (reward/brevity, target 120 characters)',
  packages: ['tirl-plugin-brevity'],
  plugins: [['reward/brevity', { target: 120, weight: 0.1 }]],
});
