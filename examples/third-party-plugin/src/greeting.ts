import { defineTask } from '@tirl/core';

/** Greet back: the answer checked by exact match, one turn, xml-tags tool format (no tools). */
export const greetingTask = defineTask({
  name: 'greeting',
  description: 'Answer a greeting; exact match against the sample answer; one turn',
  packages: ['@tirl/rewards', '@tirl/rollout-tree'],
  correctness: ['reward/exact-match'],
  plugins: [['toolFormat/xml-tags']],
  settings: { limits: { maxTurns: 1 } },
});
