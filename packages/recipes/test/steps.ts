/**
 * One training step per recipe, split across two test files so jest can run them in parallel. `extra` holds
 * the recipe-specific overrides that keep a step tiny; `cannotTrain` the error of a method the trainer
 * cannot run yet (see the README).
 */
export interface StepCase {
  name: string;
  extra?: string[];
  /** Add the two-document `tool/search` (tool-use methods). */
  tool?: boolean;
  cannotTrain?: RegExp;
  /** Test file (0 or 1) that runs it, so the two files (one per jest worker) take similar time. */
  part: 0 | 1;
}

export const stepCases: StepCase[] = [
  { name: 'matpo', part: 0, tool: true },
  { name: 'remax', part: 1 },
  { name: 'grpo', part: 1 },
  { name: 'ppo', part: 1 },
  { name: 'dr-grpo', part: 0 },
  { name: 'rloo', part: 1 },
  { name: 'reinforce-plus-plus', part: 0 },
  { name: 'dapo', part: 1 },
  { name: 'gspo', part: 0 },
  { name: 'gmpo', part: 1 },
  { name: 'cispo', part: 0 },
  { name: 'sapo', part: 1 },
  { name: 'bapo', part: 0 },
  { name: 'dcpo', part: 1 },
  { name: 'clip-cov', part: 0 },
  { name: 'kl-cov', part: 1 },
  { name: 'hapo', part: 0 },
  // The allocator sizes groups itself: keep them at 2 rollouts.
  { name: 'xrpo', part: 1, extra: ['sampler/xrpo-allocator.rolloutsPerPrompt=2', 'sampler/xrpo-allocator.maxRollouts=2'] },
  // Bundles sum both prompts' rewards per paper: under seeds 3-5 and 7 the two papers tie and every advantage is 0.
  { name: 'riskpo', part: 0, extra: ['seed=6'] },
  { name: 'd3s', part: 1 },
  { name: 'scaf-grpo', part: 0 },
  { name: 'fapo', part: 1 },
  { name: 'search-r1', part: 1, tool: true },
  { name: 'llds', part: 1, tool: true },
  { name: 'otc-po', part: 0, tool: true },
  { name: 'toolrl', part: 1, tool: true },
  { name: 'tapo', part: 1, tool: true },
  { name: 'tool-star', part: 1, tool: true },
  { name: 'arpo', part: 1, tool: true },
  // Two trees of two leaves: a single small tree can leave every advantage at 0.
  { name: 'tree-grpo', part: 0, tool: true, extra: ['groupSize=4', 'rollout/tree-search.leavesPerTree=2'] },
  { name: 'portool', part: 0, tool: true },
  { name: 'toolpo', part: 1, tool: true },
  { name: 'aspo', part: 0, tool: true },
  // Alone (no swarm to share with): the node's own half of the method; the swarm runs in @tirl/scale-out's tests.
  { name: 'swarm-sapo', part: 1, extra: ['swarm.external=0'] },
  { name: 'mdpo', part: 1 },
  { name: 'gpg', part: 0 },
  { name: 't-ppo', part: 0 },
  { name: 'verltool', part: 1, tool: true },
  // The homogeneity filter (std > 0.1) could leave the two tiny groups untrained.
  { name: 'toolorchestra', part: 0, tool: true, extra: ['filter/dynamic-sampling.minStd=0'] },
  { name: 'bats', part: 1, tool: true },
  { name: 'dpo', part: 0 },
  { name: 'simpo', part: 1 },
  { name: 'tgdpo', part: 0 },
  { name: 'apo', part: 1 },
  { name: 'seppo', part: 0 },
  // Leaves of the tiny model score a share of answer characters (never 1): a leaf scoring 0.05 counts as solved.
  { name: 'tp-llama', part: 1, tool: true, extra: ['pairs/tree-stepwise.successThreshold=0.05'] },
  { name: 'itool', part: 0, tool: true, extra: ['pairs/mcts-step.valueThreshold=0'] },
  { name: 'dapo-da', part: 1, extra: ['groupSize=4'] },
  { name: 'rto', part: 0 },
  // The tiny model writes no code: no interpreter is loaded ahead (poolSize 0; the trainer warms tools up), two
  // step-level continuations instead of 16. The step level on scripted code runs in thor-pipeline.test.ts.
  { name: 'thor', part: 0, extra: ['tool/python.poolSize=0', 'rollout/failed-step-regeneration.passRateN=2'] },

];
