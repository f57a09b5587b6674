import { runRewardKit } from '@tirl/core/testing';
import {
  adaptiveMode, exactMatch, flawedPositive, gate, lengthPenalty, mathEquivalence, otc, product, softOverlong,
  tokenF1Reward, toolFormat, toolOrchestra, toolRl, toolStar, unifiedCostReward, visualEvidence, weightedSum,
} from '../src';

runRewardKit(exactMatch, { invalid: [{ options: { normalize: 'yes' }, field: 'normalize' }] });
runRewardKit(tokenF1Reward, { invalid: [{ options: { noAnswer: 'x' }, field: 'noAnswer' }] });
runRewardKit(mathEquivalence, { invalid: [{ options: { maxChars: 0 }, field: 'maxChars' }, { options: { sources: ['latex'] }, field: 'sources' }] });
runRewardKit(toolFormat, { valid: { roles: ['planner', 'worker'] }, invalid: [{ options: { missingRole: 2 }, field: 'missingRole' }] });
runRewardKit(toolRl, { invalid: [{ options: { correctMax: -5 }, field: 'correctMax' }] });
runRewardKit(otc, { valid: { c: 3 }, invalid: [{ options: { c: 0 }, field: 'c' }, { options: { mode: 'best' }, field: 'mode' }] });
runRewardKit(toolStar, { invalid: [{ options: { task: 'code' }, field: 'task' }] });
runRewardKit(unifiedCostReward, { invalid: [{ options: { toolBudgets: { search: -1 } }, field: 'toolBudgets' }] });
runRewardKit(toolOrchestra, { invalid: [{ options: { preference: { outcome: 2 } }, field: 'preference.outcome' }] });
runRewardKit(adaptiveMode, { invalid: [{ options: { easyThreshold: 1.5 }, field: 'easyThreshold' }, { options: { instantMode: 'x', modes: ['a'] }, field: 'instantMode' }] });
runRewardKit(visualEvidence, { invalid: [{ options: { errorPenalty: 1 }, field: 'errorPenalty' }] });
runRewardKit(softOverlong, { invalid: [{ options: { maxLength: 10, cache: 20 }, field: 'cache' }] });
runRewardKit(lengthPenalty, { invalid: [{ options: { target: 10, max: 5 }, field: 'max' }] });
runRewardKit(flawedPositive, { invalid: [{ options: { checker: 'genrm' }, field: 'checker' }] });
const components = [{ id: 'reward/exact-match' }, { id: 'reward/otc' }];
runRewardKit(weightedSum, { valid: { components }, invalid: [{ options: { components: [] }, field: 'components' }] });
runRewardKit(product, { valid: { components }, invalid: [{ options: { components: [{ id: 'reward/exact-match', weight: 2 }] }, field: 'components' }] });
runRewardKit(gate, {
  valid: { gate: { id: 'reward/tool-format' }, components: [{ id: 'reward/math-equivalence' }] },
  invalid: [{ options: { gate: { id: 'exact-match' } }, field: 'gate.id' }],
});
