import { defineRecipe, type Recipe } from '@tirl/core';

/** Recipes `--recipe` accepts; the task adds its tool and tool-format plugins. */
export const RECIPES = ['grpo', 'dapo', 'rloo'] as const;
export type RecipeName = (typeof RECIPES)[number];

type Entry = [string, Record<string, unknown>?];

const METHODS: Record<RecipeName, { paper: { title: string; arxiv: string }; plugins: Entry[] }> = {
  grpo: {
    paper: { title: 'DeepSeekMath (GRPO)', arxiv: '2402.03300' },
    plugins: [['advantage/grpo'], ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }], ['aggregation/token-mean']],
  },
  dapo: {
    paper: { title: 'DAPO: An Open-Source LLM Reinforcement Learning System at Scale', arxiv: '2503.14476' },
    plugins: [['advantage/grpo'], ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.28 }], ['aggregation/token-mean']],
  },
  rloo: {
    paper: { title: 'Back to Basics: Revisiting REINFORCE Style Optimization (RLOO)', arxiv: '2402.14740' },
    plugins: [['advantage/rloo'], ['objective/ppo-clip', { epsLow: 0.2, epsHigh: 0.2 }], ['aggregation/token-mean']],
  },
};

export interface RecipeSettings {
  seed: number;
  steps: number;
  promptsPerStep: number;
  groupSize: number;
  lr: number;
  maxNewTokens: number;
  /** Weight of the `reward/char-match` partial credit summed with exact match (accuracy stays exact match). */
  partialCredit: number;
}

/** The demo recipe `name` for a task's tools: sampler, linear rollouts, exact-match plus partial-credit reward, the method's plugins. */
export function demoRecipe(name: string, toolPlugins: Entry[], s: RecipeSettings): Recipe {
  if (!(RECIPES as readonly string[]).includes(name)) {
    throw new Error(`demo: unknown recipe "${name}"; available recipes: ${RECIPES.join(', ')}`);
  }
  const method = METHODS[name as RecipeName];
  return defineRecipe({
    name: `demo-${name}`,
    paper: method.paper,
    plugins: [['sampler/epoch-shuffle'], ['rollout/linear'], ...toolPlugins, ['reward/exact-match'], ['reward/char-match', { weight: s.partialCredit }], ...method.plugins],
    settings: {
      seed: s.seed,
      steps: s.steps,
      promptsPerStep: s.promptsPerStep,
      groupSize: s.groupSize,
      microBatchRows: 16,
      optimizer: { lr: s.lr },
      decode: { maxNewTokens: s.maxNewTokens, temperature: 1 },
      limits: { maxTurns: 2, maxTotalTokens: 160, maxToolCalls: 2, concurrency: 8 },
    },
  });
}
