import { composeRun, defineScale, defineTask, type ResolvedRun, type Scale, type Task } from '@tirl/core';
import type { DemoTask } from './tasks';

/** What the demo's scale and task read from the run options. */
export interface DemoRunSettings {
  seed: number;
  steps: number;
  promptsPerStep: number;
  groupSize: number;
  lr: number;
  /** Weight of the `reward/char-match` partial credit summed with the correctness reward (accuracy stays exact match). */
  partialCredit: number;
}

/** The accuracy reward: every demo task's correctness reward. */
export const CORRECTNESS = 'reward/exact-match';

const DEFAULT_LIMITS = { maxTurns: 2, maxTotalTokens: 160, maxToolCalls: 2 };

/**
 * A demo task as a task: its tools, tool format (and router for planner/worker tasks), exact match as the
 * correctness reward, a character-match partial credit, and its turn and token budgets.
 */
export function demoTask(task: DemoTask, s: DemoRunSettings): Task {
  const limits = task.limits ?? DEFAULT_LIMITS;
  return defineTask({
    name: `demo-${task.name}`,
    description: `Demo task "${task.name}" (generated questions, tools and budgets of apps/demo)`,
    correctness: [CORRECTNESS],
    plugins: [...task.toolPlugins, ['reward/char-match', { weight: s.partialCredit }]],
    settings: { decode: { maxNewTokens: task.maxNewTokens ?? 32 }, limits },
    // Demo answers are written as <answer>…</answer>: methods whose reward reads the answer read it there.
    pluginOptions: { 'reward/matpo': { answerSource: 'answer-tag' } },
  });
}

/**
 * The demo's scale: a tiny model on a laptop CPU. Sizes that the methods tie to the generation budget
 * follow it: DAPO's overlong window keeps its paper ratio L_cache / L_max = 4096 / 20480 = 0.2 (§3.4), and
 * OTC's c is the run's tool-call limit (§3.3: c is the maximum number of calls).
 */
export function demoScale(task: DemoTask, s: DemoRunSettings): Scale {
  const limits = task.limits ?? DEFAULT_LIMITS;
  const budget = limits.maxTurns * (task.maxNewTokens ?? 32);
  return defineScale({
    name: 'demo',
    description: 'apps/demo: tiny model, few prompts and rollouts, large lr',
    settings: {
      seed: s.seed,
      steps: s.steps,
      promptsPerStep: s.promptsPerStep,
      groupSize: s.groupSize,
      miniBatches: 1,
      microBatchRows: 16,
      optimizer: { lr: s.lr, warmupSteps: 0 },
      decode: { temperature: 1 },
      limits: { concurrency: 8 },
    },
    pluginOptions: {
      'reward/soft-overlong': { maxLength: budget, cache: Math.max(1, Math.round(0.2 * budget)) },
      'reward/otc': { c: limits.maxToolCalls },
    },
  });
}

/**
 * The built-in method `method` (any installed one: grpo, dapo, rloo, otc-po, matpo, ...) on a demo task at
 * the demo's scale. `evaluate`: the same run scored the same way for every method, by the task's own
 * rewards (exact match + partial credit), so accuracy (`reward/exact-match`) means one thing throughout.
 */
export function composeDemoRun(
  method: string,
  task: DemoTask,
  s: DemoRunSettings,
  purpose: 'train' | 'evaluate' = 'train',
  switches: Readonly<Record<string, string>> = {},
): ResolvedRun {
  if (method === 'matpo' && !task.toolPlugins.some(([id]) => id.startsWith('router/'))) {
    throw new Error('demo: method "matpo" needs a planner/worker task: use --task matpo (MATPO vs single agent) or --task multihop-matpo');
  }
  const parts = { method, task: demoTask(task, s), scale: demoScale(task, s), switches };
  const run = composeRun(parts);
  if (purpose === 'train') return run;
  const methodRewards = run.plugins.filter((p) => p.id.startsWith('reward/') && !run.sources[p.id]?.startsWith('task:')).map((p) => p.id);
  const correctnessLeftOut = run.removed.some((r) => r.id === CORRECTNESS);
  return composeRun({
    ...parts,
    overrides: [{ from: 'demo evaluation', remove: methodRewards, plugins: correctnessLeftOut ? [[CORRECTNESS]] : [] }],
  });
}
