import { defineMethod } from '@tirl/core';

export const metatool = defineMethod({
  name: 'metatool',
  extends: 'grpo',
  paper: {
    title: 'MetaTool Benchmark for Large Language Models: Deciding Whether to Use Tools and Which to Use',
    arxiv: '2310.03128',
    section: '3 (tool-usage awareness and tool selection tasks; the benchmark defines no training)',
  },
  description: 'GRPO on MetaTool tool choice: reward 1 when the rollout calls exactly the gold tools ("None" = no tool)',
  plugins: [
    // §3: selection (similar / scenario / reliability with "None" / multi-tool) scored by CSR = exact set match.
    ['reward/metatool', { task: 'selection', source: 'calls', match: 'exact' }],
  ],
  // The tool-choice reward is the correctness of this task.
  scoresCorrectness: true,
});
