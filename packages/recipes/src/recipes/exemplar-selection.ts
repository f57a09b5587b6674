import { defineMethod } from '@tirl/core';

/** GRPO whose prompts carry the policy's own verified answers as in-context exemplars, the set chosen by random search. */
export const exemplarSelection = defineMethod({
  name: 'exemplar-selection',
  extends: 'grpo',
  paper: { title: 'Teach Better or Show Smarter? On Instructions and Exemplars in Automatic Prompt Optimization', arxiv: '2406.15708', section: '3 (exemplar selection by random search; k and T unverified)' },
  description: "GRPO with k of the policy's own verified (question, answer) pairs before each prompt, the set picked by random search on reward",
  plugins: [['sampler/exemplars']],
});
