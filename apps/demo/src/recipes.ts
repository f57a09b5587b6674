import { defineMethod, type Method as MethodDefinition, type PluginEntry } from '@tirl/core';

/** Recipes `--recipe` accepts; the task adds its tool and tool-format plugins. */
export const RECIPES = ['grpo', 'dapo', 'rloo', 'matpo', 'otc'] as const;
export type RecipeName = (typeof RECIPES)[number];

interface Method {
  paper: { title: string; arxiv: string };
  plugins: PluginEntry[];
  /** The training reward, when the method replaces exact match + partial credit (evaluation keeps those). */
  rewards?: (s: RecipeSettings) => PluginEntry[];
}

/** A policy-gradient update: the advantage, PPO clipping (ε 0.2, or a higher upper ε), and the loss aggregation. */
const update = (advantage: string, o: { epsHigh?: number; aggregation?: string } = {}): PluginEntry[] => [
  [advantage],
  ['objective/ppo-clip', { epsLow: 0.2, epsHigh: o.epsHigh ?? 0.2 }],
  [o.aggregation ?? 'aggregation/token-mean'],
];

const METHODS: Record<RecipeName, Method> = {
  grpo: {
    paper: { title: 'DeepSeekMath (GRPO)', arxiv: '2402.03300' },
    plugins: update('advantage/grpo'),
  },
  dapo: {
    paper: { title: 'DAPO: An Open-Source LLM Reinforcement Learning System at Scale', arxiv: '2503.14476' },
    plugins: update('advantage/grpo', { epsHigh: 0.28 }),
  },
  rloo: {
    paper: { title: 'Back to Basics: Revisiting REINFORCE Style Optimization (RLOO)', arxiv: '2402.14740' },
    plugins: update('advantage/rloo'),
  },
  // Planner-only group statistics broadcast to workers, each planner + workers normalised by their own tokens.
  matpo: {
    paper: { title: 'Multi-Agent Tool-Integrated Policy Optimization (MATPO)', arxiv: '2510.04678' },
    plugins: update('advantage/matpo', { aggregation: 'aggregation/root-normalised' }),
  },
  // OTC-GRPO (§3.3, Eq. 5): the outcome reward becomes α·r_tool·r_EM, multiplied, not added, so a wrong answer
  // earns nothing from the tool term; c = the run's tool-call limit (§4.1: c is the max calls), α = 1, n the
  // running minimum of calls of a correct rollout per question. The partial credit stays added: a correct
  // answer earns r_tool + partialCredit, a wrong one only its partial credit.
  otc: {
    paper: { title: 'Acting Less is Reasoning More! Teaching Model to Act Efficiently (OTC-PO)', arxiv: '2504.14870' },
    plugins: update('advantage/grpo'),
    rewards: (s) => [
      ['reward/otc', { check: 'normalized-exact', c: s.limits.maxToolCalls, alpha: 1, mode: 'global' }],
      ['reward/char-match', { weight: s.partialCredit }],
    ],
  },
};

export interface RecipeSettings {
  seed: number;
  steps: number;
  promptsPerStep: number;
  groupSize: number;
  lr: number;
  maxNewTokens: number;
  limits: { maxTurns: number; maxTotalTokens: number; maxToolCalls: number; toolTimeoutMs?: number };
  /** Weight of the `reward/char-match` partial credit summed with exact match (accuracy stays exact match). */
  partialCredit: number;
}

/**
 * The demo recipe `name` for a task's tools: sampler, linear rollouts, exact-match plus partial-credit reward
 * (or the method's own training reward), the method's plugins. `evaluate`: always exact match + partial
 * credit, so accuracy (`reward/exact-match`) is measured the same way for every method.
 */
export function demoRecipe(name: string, toolPlugins: PluginEntry[], s: RecipeSettings, purpose: 'train' | 'evaluate' = 'train'): MethodDefinition {
  if (!(RECIPES as readonly string[]).includes(name)) {
    throw new Error(`demo: unknown recipe "${name}"; available recipes: ${RECIPES.join(', ')}`);
  }
  const method = METHODS[name as RecipeName];
  if (name === 'matpo' && !toolPlugins.some(([id]) => id.startsWith('router/'))) {
    throw new Error('demo: recipe "matpo" needs a planner/worker task: use --task matpo (MATPO vs single agent) or --task multihop-matpo');
  }
  const accuracy: PluginEntry[] = [['reward/exact-match'], ['reward/char-match', { weight: s.partialCredit }]];
  const rewards = purpose === 'train' && method.rewards ? method.rewards(s) : accuracy;
  return defineMethod({
    name: `demo-${name}`,
    paper: method.paper,
    plugins: [['sampler/epoch-shuffle'], ['rollout/linear'], ...toolPlugins, ...rewards, ...method.plugins],
    settings: {
      seed: s.seed,
      steps: s.steps,
      promptsPerStep: s.promptsPerStep,
      groupSize: s.groupSize,
      microBatchRows: 16,
      optimizer: { lr: s.lr },
      decode: { maxNewTokens: s.maxNewTokens, temperature: 1 },
      limits: { ...s.limits, concurrency: 8 },
    },
  });
}
