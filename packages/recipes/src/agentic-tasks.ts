import { defineTask } from '@tirl/core';

/** Questions answered with parallel function calls (Divide-Then-Aggregate's format); exact match. */
export const parallelToolsQaTask = defineTask({
  name: 'parallel-tools-qa',
  description: 'Questions solved with "Function Call: [...]" lists whose calls run concurrently (Divide-Then-Aggregate); exact match on Finish\'s final answer',
  correctness: ['reward/exact-match'],
  plugins: [['toolFormat/parallel-calls']],
});

/** Tasks for the agentic seed-paper methods (`agentic-methods.ts`). */
export const agenticTasks = [parallelToolsQaTask];
