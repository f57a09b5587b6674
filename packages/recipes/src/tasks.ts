import { defineTask } from '@tirl/core';
import { agenticTasks } from './agentic-tasks';
import { withPackages } from './plugin-packages';
import { thorMathTask } from './recipes/thor';

/**
 * The tasks the papers train on, as far as a method needs them: tool format, correctness reward and turn
 * limits. Data and tools are the user's (a config file's `data` and `plugins`, e.g. `tool/search` with a
 * corpus): the papers' datasets are not shipped.
 */

/** DeepSeekMath-style rule reward: the final answer checked by exact match; xml-tags tool calls. */
export const mathTask = defineTask({
  name: 'math',
  description: 'Math problems; the final answer checked by exact match; xml-tags tool calls',
  correctness: ['reward/exact-match'],
  plugins: [['toolFormat/xml-tags']],
});

/** DAPO-Math-17K's rule reward (math_dapo scorer): +1 equivalent, −1 otherwise. */
export const dapoMathTask = defineTask({
  name: 'dapo-math',
  description: 'Math problems scored +1 / −1 by answer equivalence (DAPO math_dapo scorer); xml-tags tool calls',
  correctness: ['reward/math-equivalence', { correct: 1, incorrect: -1 }],
  plugins: [['toolFormat/xml-tags']],
});

/** ASPO's tool-integrated reasoning: the DAPO math task with a python tool tag. */
export const dapoMathPythonTask = defineTask({
  name: 'dapo-math-python',
  description: 'The dapo-math task with <python> tool calls',
  correctness: ['reward/math-equivalence', { correct: 1, incorrect: -1 }],
  plugins: [['toolFormat/xml-tags', { tags: ['python'] }]],
});

/** Search-R1 (arXiv 2503.09516 §3-4): <search> calls, exact match, at most 4 turns. */
export const searchQaTask = defineTask({
  name: 'search-qa',
  description: 'Open-domain QA with <search> calls (Search-R1): exact match, at most 4 turns; add tool/search with your corpus',
  correctness: ['reward/exact-match'],
  plugins: [['toolFormat/xml-tags', { tags: ['search'] }]],
  settings: { limits: { maxTurns: 4 } },
});

/** Tool-Star's multi-tool reasoning: <search> and <python> calls. */
export const searchPythonQaTask = defineTask({
  name: 'search-python-qa',
  description: 'Questions solved with <search> and <python> calls (Tool-Star); exact match',
  correctness: ['reward/exact-match'],
  plugins: [['toolFormat/xml-tags', { tags: ['search', 'python'] }]],
});

/** Function calling in the Hermes chat format (ToolRL, DeepAgent). */
export const hermesQaTask = defineTask({
  name: 'hermes-qa',
  description: 'Questions solved with Hermes-format function calls; exact match',
  correctness: ['reward/exact-match'],
  plugins: [['toolFormat/hermes']],
});

/** MATPO's multi-agent QA (arXiv 2510.04678 §4.1): Hermes calls, at most 20 turns; workers' tools are the user's. */
export const matpoQaTask = defineTask({
  name: 'matpo-qa',
  description: 'Deep-research QA for planner and workers (MATPO): Hermes calls, at most 20 turns; add worker tools and router/matpo.workerTools',
  correctness: ['reward/exact-match'],
  plugins: [['toolFormat/hermes']],
  settings: { limits: { maxTurns: 20 } },
});

/** Every task of this package, each naming the packages of its plugins. */
/** Chat prompts with preference pairs: each JSONL sample carries `preference` {chosen, rejected, guidance?}; no reward, no tools. */
export const preferencePairsTask = defineTask({
  name: 'preference-pairs',
  description: 'Prompts with a preferred and a dispreferred response each (JSONL "preference"); for offline preference methods',
  // Methods that also sample (SePPO's reference responses) need a tool format; no tools are given.
  plugins: [['toolFormat/xml-tags']],
  settings: { limits: { maxTurns: 1 } },
});

export const tasks = [mathTask, dapoMathTask, dapoMathPythonTask, searchQaTask, searchPythonQaTask, hermesQaTask, matpoQaTask, preferencePairsTask, thorMathTask, ...agenticTasks].map(withPackages);
