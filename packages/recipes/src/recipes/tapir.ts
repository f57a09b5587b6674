import { defineMethod } from '@tirl/core';

export const tapir = defineMethod({
  name: 'tapir',
  extends: 'grpo',
  paper: {
    title: 'Distilling Instruction-following Abilities of Large Language Models with Task-aware Curriculum Planning',
    arxiv: '2405.13448',
    section: '3 (task-aware curriculum planning: hard seeds by MFD, task-balanced resampling, rising difficulty over rounds)',
  },
  description: 'GRPO whose prompts follow TAPIR\'s task-balanced curriculum with a growing share of hard prompts (pass rate stands in for the teacher/student MFD)',
  plugins: [
    // RL reading: difficulty = 1 − pass rate (no teacher); δ 0.5 and α 0.3 → 0.7 are tirl choices (unverified in the paper).
    ['sampler/tapir-curriculum', { difficulty: 'pass-rate', threshold: 0.5 }],
  ],
});
