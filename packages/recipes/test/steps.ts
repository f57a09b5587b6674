/**
 * One training step per recipe, split across test files so jest can run them in parallel. `extra` holds
 * the recipe-specific overrides that keep a step tiny; `cannotTrain` the error of a method the trainer
 * cannot run yet (see the README).
 */
export interface StepCase {
  name: string;
  extra?: string[];
  cannotTrain?: RegExp;
}

export const stepCases: StepCase[] = [
  { name: 'ppo', cannotTrain: /needs value estimates \(a critic\)/ },
  { name: 't-ppo', cannotTrain: /needs value estimates \(a critic\)/ },
  { name: 'remax', cannotTrain: /advantage\/remax: .*no numeric meta\.baselineReward/ },
  { name: 'grpo' },
  { name: 'dr-grpo' },
  { name: 'rloo' },
  { name: 'reinforce-plus-plus' },
  { name: 'dapo' },
  { name: 'gspo' },
  { name: 'gmpo' },
  { name: 'cispo' },
  { name: 'sapo' },
  { name: 'bapo' },
  { name: 'dcpo' },
  { name: 'clip-cov' },
  { name: 'kl-cov' },
  { name: 'hapo' },
  // The allocator sizes groups itself: keep them at 2 rollouts.
  { name: 'xrpo', extra: ['sampler/xrpo-allocator.rolloutsPerPrompt=2', 'sampler/xrpo-allocator.maxRollouts=2'] },
  { name: 'riskpo' },
  { name: 'd3s' },
  { name: 'scaf-grpo' },
  { name: 'fapo' },
  { name: 'search-r1' },
  { name: 'llds' },
  { name: 'otc-po' },
  { name: 'toolrl' },
  { name: 'tapo' },
  { name: 'tool-star' },
  { name: 'arpo' },
  // Two trees of two leaves: a single small tree can leave every advantage at 0.
  { name: 'tree-grpo', extra: ['groupSize=4', 'rollout/tree-search.leavesPerTree=2'] },
  { name: 'portool' },
  { name: 'toolpo' },
  { name: 'aspo' },
  { name: 'matpo' },
];
