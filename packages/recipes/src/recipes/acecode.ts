import { defineMethod } from '@tirl/core';

export const acecodeMethod = defineMethod({
  name: 'acecode',
  extends: 'ppo',
  paper: {
    title: 'ACECode: A Reinforcement Learning Framework for Aligning Code Efficiency and Correctness in Code Language Models',
    arxiv: '2412.17264',
    section: '3 (actor CodeLLM, training-free rewarder on runtime and correctness, PPO)',
  },
  description: 'PPO on generated code rewarded by the sandboxed tests and its runtime against the reference (samples carry meta.tests and meta.reference)',
  plugins: [
    // §3.2: passing code 0.5 + 0.5·min(E_ref/E_gen, 1); failing code 0 and broken code −1 are unverified tirl defaults.
    // Runtime counted as executed solution lines (deterministic); `runtime: wall` times it instead.
    ['reward/acecode'],
  ],
  // The rewarder checks correctness itself (tests pass or not).
  scoresCorrectness: true,
});
