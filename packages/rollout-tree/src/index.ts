import type { AnyPluginDefinition } from '@tirl/core';
import { hermesFormat } from './formats/hermes';
import { parallelCallsFormat } from './formats/parallel-calls';
import { xmlTagsFormat } from './formats/xml-tags';
import { a2fmApoRollout } from './strategies/a2fm-apo';
import { arpoRollout } from './strategies/arpo';
import { entropyTemperatureRollout } from './strategies/entropy-temperature';
import { greedyBaselineRollout } from './strategies/greedy-baseline';
import { successiveWindowRollout } from './strategies/successive-window';
import { dfsdtRollout } from './strategies/dfsdt';
import { asyncRollout } from './strategies/async';
import { linearRollout } from './strategies/linear';
import { policyAugmentedRollout } from './strategies/policy-augmented';
import { treeSearchRollout } from './strategies/tree-search';
import { failedStepRegenerationRollout } from './strategies/failed-step-regeneration';
import { backtrackOnFailureRollout } from './strategies/backtrack-on-failure';

export { HermesFormat, hermesFormat } from './formats/hermes';
export { XmlTagsFormat, xmlTagsFormat } from './formats/xml-tags';
export { GIVE_UP, ParallelCallsFormat, parallelCallsFormat } from './formats/parallel-calls';
export { dagLevels } from './formats/dag-levels';
export { linearRollout } from './strategies/linear';
export { dfsdtRollout, diversityPrompt } from './strategies/dfsdt';
export { policyAugmentedRollout, withPolicyDocument } from './strategies/policy-augmented';
export { a2fmApoRollout, chosenMode } from './strategies/a2fm-apo';
export { arpoRollout } from './strategies/arpo';
export { entropyTemperatureRollout, entropyTemperatureStats } from './strategies/entropy-temperature';
export { greedyBaselineRollout } from './strategies/greedy-baseline';
export { successiveWindowRollout } from './strategies/successive-window';
export { asyncRollout } from './strategies/async';
export { treeSearchRollout } from './strategies/tree-search';
export { failedStepRegenerationRollout } from './strategies/failed-step-regeneration';
export { backtrackOnFailureRollout } from './strategies/backtrack-on-failure';
export { stepPrefix, isFailedExecution, keepResponse, type ExecutionRule, type StepPrefix } from './strategies/step-cut';
export { RolloutEngine, coerceArgs, engineOptionsShape, withToolDescription, type EngineOptions } from './engine/engine';
export { assembleTree } from './engine/tree-builder';
export { ToolBudget } from './engine/budget';
export { Semaphore } from './engine/semaphore';
export { GenerateBatcher } from './engine/batcher';
export { errorResult, runToolCall } from './engine/tool-runner';
export { validateArgs } from '@tirl/core';
export type { Agent, PathNode } from './engine/agent';

/** Every plugin of this package. */
export const plugins: readonly AnyPluginDefinition[] = [
  linearRollout,
  asyncRollout,
  arpoRollout,
  treeSearchRollout,
  greedyBaselineRollout,
  successiveWindowRollout,
  entropyTemperatureRollout,
  hermesFormat,
  xmlTagsFormat,
  parallelCallsFormat,
  policyAugmentedRollout,
  dfsdtRollout,
  a2fmApoRollout,
  failedStepRegenerationRollout,
  backtrackOnFailureRollout,
];
