import { defineScale } from '@tirl/core';
import { thorScale } from './recipes/thor';

/** The papers' own run sizes, and one that fits a laptop. */

export const deepseekmathScale = defineScale({
  name: 'deepseekmath',
  description: 'DeepSeekMath §4.2 (GRPO): 64 outputs per question, lr 1e-6',
  settings: { groupSize: 64, optimizer: { lr: 1e-6 } },
});

export const dapoScale = defineScale({
  name: 'dapo',
  description: 'DAPO §4.1: 16 responses per prompt, 16 mini-batches, lr 1e-6 with 10 warm-up steps, 20480 generated tokens',
  settings: { groupSize: 16, miniBatches: 16, optimizer: { lr: 1e-6, warmupSteps: 10 }, decode: { maxNewTokens: 20480 } },
});

export const searchR1Scale = defineScale({
  name: 'search-r1',
  description: 'Search-R1 §4: 5 responses per prompt, lr 1e-6',
  settings: { groupSize: 5, optimizer: { lr: 1e-6 } },
});

export const treeGrpoScale = defineScale({
  name: 'tree-grpo',
  description: 'Tree-GRPO §4: M = 2 trees × 3 leaves = 6 rollouts, lr 1e-6, max_turns 3',
  settings: { groupSize: 6, optimizer: { lr: 1e-6 }, limits: { maxTurns: 3 } },
});

export const ppoScale = defineScale({
  name: 'ppo',
  description: 'One mini-batch per batch (verl default)',
  settings: { miniBatches: 1 },
});

export const rlooScale = defineScale({
  name: 'rloo',
  description: 'RLOO §3.2: k = 4 samples per prompt',
  settings: { groupSize: 4 },
});

export const toolrlScale = defineScale({
  name: 'toolrl',
  description: 'ToolRL: n = 4 rollouts, lr 1e-6',
  settings: { groupSize: 4, optimizer: { lr: 1e-6 } },
});

export const tapoScale = defineScale({
  name: 'tapo',
  description: 'TAPO: n = 4, lr 1e-6, at most 4 turns',
  settings: { groupSize: 4, optimizer: { lr: 1e-6 }, limits: { maxTurns: 4 } },
});

export const toolStarScale = defineScale({
  name: 'tool-star',
  description: 'Tool-Star: n = 8, lr 1e-6',
  settings: { groupSize: 8, optimizer: { lr: 1e-6 } },
});

export const arpoScale = defineScale({
  name: 'arpo',
  description: 'ARPO: M = 16 rollouts per prompt, lr 1e-6, at most 3 tool calls',
  settings: { groupSize: 16, optimizer: { lr: 1e-6 }, limits: { maxToolCalls: 3 } },
});

export const toolpoScale = defineScale({
  name: 'toolpo',
  description: 'DeepAgent ToolPO: K = 8 rollouts',
  settings: { groupSize: 8 },
});

export const matpoScale = defineScale({
  name: 'matpo',
  description: 'MATPO §4.1: group size 8, one mini-batch, lr 1e-5, temperature 1',
  settings: { groupSize: 8, miniBatches: 1, optimizer: { lr: 1e-5 }, decode: { temperature: 1 } },
});

export const gpgScale = defineScale({
  name: 'gpg',
  description: 'GPG 7B recipe (config_simple_rl_gpg.yaml): 8 generations, lr 2e-6, 1024 new tokens',
  settings: { groupSize: 8, optimizer: { lr: 2e-6 }, decode: { maxNewTokens: 1024 } },
});

export const toolorchestraScale = defineScale({
  name: 'toolorchestra',
  description: 'ToolOrchestra §4.4: batch 16 tasks × 8 rollouts, lr 1e-6, at most 50 turns, 8000 generated tokens',
  settings: { promptsPerStep: 16, groupSize: 8, optimizer: { lr: 1e-6 }, decode: { maxNewTokens: 8000 }, limits: { maxTurns: 50 } },
});

/** A run that fits a laptop CPU with a tiny model: short generations, small groups, a larger lr. */
export const laptopScale = defineScale({
  name: 'laptop',
  description: 'Laptop: 20 steps × 4 prompts × 4 rollouts, 64 new tokens, lr 1e-4, Dr. GRPO/DAPO length budgets to match',
  settings: {
    steps: 20,
    promptsPerStep: 4,
    groupSize: 4,
    miniBatches: 1,
    microBatchRows: 16,
    optimizer: { lr: 1e-4, warmupSteps: 0 },
    decode: { maxNewTokens: 64 },
    limits: { maxTurns: 4, maxTotalTokens: 512 },
  },
  // DAPO's overlong window keeps its paper ratio L_cache / L_max = 4096 / 20480 = 0.2 of the budget.
  pluginOptions: { 'reward/soft-overlong': { maxLength: 64, cache: 13 } },
});

export const rlSwarmScale = defineScale({
  name: 'rl-swarm',
  description: 'Swarm SAPO public swarm config (rl-swarm rg-swarm.yaml): I = 2 local questions, G = 2 completions each',
  settings: { promptsPerStep: 2, groupSize: 2 },
});

export const scales = [deepseekmathScale, dapoScale, searchR1Scale, treeGrpoScale, ppoScale, rlooScale, toolrlScale, tapoScale, toolStarScale, arpoScale, toolpoScale, matpoScale, rlSwarmScale, gpgScale, toolorchestraScale, thorScale, laptopScale];
