import type { AnyPluginDefinition } from '@tirl/core';
import { llmJudge } from './judge/llm-judge';
import { exactMatch } from './outcome/exact-match';
import { mathEquivalence } from './outcome/math-equivalence';
import { tokenF1Reward } from './outcome/token-f1';
import { flawedPositive } from './shapers/flawed-positive';
import { lengthPenalty } from './shapers/length-penalty';
import { softOverlong } from './shapers/soft-overlong';
import { adaptiveMode } from './tools/adaptive-mode';
import { otc } from './tools/otc';
import { toolFormat } from './tools/tool-format';
import { toolOrchestra } from './tools/tool-orchestra';
import { toolStar } from './tools/tool-star';
import { toolRl } from './tools/toolrl';
import { unifiedCostReward } from './tools/unified-cost';
import { visualEvidence } from './tools/visual-evidence';
import { metatool } from './tools/metatool';
import { adacotPareto } from './shapers/adacot-pareto';
import { executionPassReward } from './tools/execution-pass';

/** Every reward of this package that a combinator can name as a component (combinators excluded). */
export const componentRewards: readonly AnyPluginDefinition[] = [
  exactMatch,
  tokenF1Reward,
  mathEquivalence,
  toolFormat,
  toolRl,
  otc,
  toolStar,
  unifiedCostReward,
  toolOrchestra,
  adaptiveMode,
  visualEvidence,
  softOverlong,
  lengthPenalty,
  flawedPositive,
  llmJudge,
  metatool,
  adacotPareto,
  executionPassReward,
] as AnyPluginDefinition[];
