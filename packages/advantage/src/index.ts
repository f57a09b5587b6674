import type { AnyPluginDefinition } from '@tirl/core';
import { egae } from './advantage/egae';
import { gae } from './advantage/gae';
import { gpg } from './advantage/gpg';
import { grpo } from './advantage/grpo';
import { matpo } from './advantage/matpo';
import { opo } from './advantage/opo';
import { passAtK } from './advantage/pass-at-k';
import { portool } from './advantage/portool';
import { reinforcePlusPlus } from './advantage/reinforce-plus-plus';
import { reinforcePlusPlusBaseline } from './advantage/reinforce-plus-plus-baseline';
import { remax } from './advantage/remax';
import { rloo } from './advantage/rloo';
import { toolpo } from './advantage/toolpo';
import { treeGrpo } from './advantage/tree-grpo';
import { arpoHard } from './transform/arpo-hard';
import { aspo } from './transform/aspo';
import { dcpoSas } from './transform/dcpo-sas';
import { hapoTokenGroup } from './transform/hapo-token-group';
import { riskpoMvar } from './transform/riskpo-mvar';
import { xrpoNovelty } from './transform/xrpo-novelty';

export {
  arpoHard,
  aspo,
  dcpoSas,
  egae,
  gae,
  gpg,
  grpo,
  hapoTokenGroup,
  matpo,
  opo,
  passAtK,
  portool,
  reinforcePlusPlus,
  reinforcePlusPlusBaseline,
  remax,
  riskpoMvar,
  rloo,
  toolpo,
  treeGrpo,
  xrpoNovelty,
};

export { groupNormalize, moments, weightedMoments, groupRows, type GroupNormOptions, type StdKind } from './math/group-stats';
export { broadcastRows, maskedTensor } from './math/batch-views';
export { maskedWhiten, type WhitenOptions } from './math/whiten';
export { rewardToGo, tokenRewardMatrix } from './math/returns';

/** Every plugin of this package, for an experiment to register. */
export const plugins: readonly AnyPluginDefinition[] = [
  gae,
  grpo,
  rloo,
  reinforcePlusPlus,
  reinforcePlusPlusBaseline,
  remax,
  opo,
  passAtK,
  treeGrpo,
  portool,
  toolpo,
  matpo,
  gpg,
  egae,
  xrpoNovelty,
  dcpoSas,
  hapoTokenGroup,
  aspo,
  riskpoMvar,
  arpoHard,
] as unknown as readonly AnyPluginDefinition[];
