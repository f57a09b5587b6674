import type { AnyPluginDefinition } from '@tirl/core';
import { dpoLoss } from './losses/dpo';
import { simpoLoss } from './losses/simpo';
import { tgdpoLoss } from './losses/tgdpo';
import { seppoLoss } from './losses/seppo';
import { offlinePairs } from './pairs/offline';
import { groupPairs } from './pairs/group';
import { treeStepwisePairs } from './pairs/tree-stepwise';
import { mctsStepPairs } from './pairs/mcts-step';
import { seppoAnchorPairs } from './pairs/seppo-anchor';
import { selfCriticPairs } from './pairs/self-critic';
import { nesterovReference } from './reference/nesterov';
import { randomPastCheckpoint } from './reference/random-past-checkpoint';
import { phaseStartReference } from './reference/phase-start';
import { dpoTokenReward } from './rto/dpo-token-reward';
import { dapoDaObjective } from './step/dapo-da';
import { stepValueAdvantage } from './step/step-value';

export { dpoLoss, simpoLoss, tgdpoLoss, seppoLoss, offlinePairs, groupPairs, treeStepwisePairs, mctsStepPairs, seppoAnchorPairs, selfCriticPairs, nesterovReference, randomPastCheckpoint, phaseStartReference, dpoTokenReward, dapoDaObjective, stepValueAdvantage };
export { wordOverlap } from './pairs/mcts-step';
export { selfCriticPhase } from './pairs/self-critic';

export const plugins: readonly AnyPluginDefinition[] = [
  dpoLoss,
  simpoLoss,
  tgdpoLoss,
  seppoLoss,
  offlinePairs,
  groupPairs,
  treeStepwisePairs,
  mctsStepPairs,
  seppoAnchorPairs,
  selfCriticPairs,
  nesterovReference,
  randomPastCheckpoint,
  phaseStartReference,
  dpoTokenReward,
  dapoDaObjective,
  stepValueAdvantage,
];
