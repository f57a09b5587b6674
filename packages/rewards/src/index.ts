export { componentRewards } from './catalog';
export { combineRewards, type CombineMode, type CombineOptions } from './combine/combine-rewards';
export { componentSchema, createComponents, type ComponentSpec } from './combine/components';
export { gate } from './combine/gate';
export { product } from './combine/product';
/** The reward scorer and its types live in @tirl/core (the trainer scores with it too); re-exported here. */
export { COMPONENTS_ARE_REWARDS, scoreAll, type NamedReward, type RewardOutputWithFailures, type ScoreAllOptions, type ScoreAllResult } from '@tirl/core';
export { weightedSum } from './combine/weighted-sum';
export { DEFAULT_JUDGE_TEMPLATE, fillTemplate, llmJudge, parseGrade } from './judge/llm-judge';
export { DEFAULT_EQUIVALENCE, evaluateSafe, mathEquivalent, type EquivalenceOptions } from './math/equivalence';
export { latexToExpression } from './math/latex';
export { compareAnswer, OUTCOME_CHECKS, outcomeScore, predictedAnswer, type OutcomeCheck } from './outcome/check';
export { exactMatch } from './outcome/exact-match';
export { mathEquivalence } from './outcome/math-equivalence';
export { tokenF1Reward } from './outcome/token-f1';
export { FLAW_CHECKER, flawedPositive, shortReasoningChecker, type FlawChecker } from './shapers/flawed-positive';
export { lengthPenalty } from './shapers/length-penalty';
export { softOverlong, softOverlongPenalty } from './shapers/soft-overlong';
export { extractAnswer, finalAnswerLine, lastAnswerTag, lastBoxed, type AnswerSource } from './text/extract';
export { answerTokens, normalizeAnswer, tokenF1 } from './text/normalize';
export { adaptiveMode, rolloutMode } from './tools/adaptive-mode';
export { executedCalls, otc, otcToolCoefficient } from './tools/otc';
export { declaredTools, type DeclaredTool } from './tools/schemas';
export { callIsValid, formatRatio, toolFormat } from './tools/tool-format';
export { minMax, toolOrchestra } from './tools/tool-orchestra';
export { toolStar, toolStarFormat } from './tools/tool-star';
export { multisetJaccard, toolRl, toolRlCorrectness, toolRlFormatOk } from './tools/toolrl';
export { unifiedCost, unifiedCostReward } from './tools/unified-cost';
export { argsFitSchema } from './tools/validate-args';
export { visualEvidence } from './tools/visual-evidence';
export { goldAnswers } from './util/gold';
export { metatool, setJaccard, toolNameSet } from './tools/metatool';
export { adacotPareto, leadingThink } from './shapers/adacot-pareto';
export { executionPass, executionPassReward } from './tools/execution-pass';

import type { AnyPluginDefinition } from '@tirl/core';
import { componentRewards } from './catalog';
import { gate } from './combine/gate';
import { product } from './combine/product';
import { weightedSum } from './combine/weighted-sum';

/** Every plugin of this package. */
export const plugins: readonly AnyPluginDefinition[] = [...componentRewards, weightedSum, product, gate];
