import { describePlugin } from '@tirl/core/testing';
import {
  adaptiveMode, exactMatch, flawedPositive, gate, lengthPenalty, llmJudge, mathEquivalence, otc, product, softOverlong,
  tokenF1Reward, toolFormat, toolOrchestra, toolRl, toolStar, unifiedCostReward, visualEvidence, weightedSum,
} from '../src';

describePlugin(exactMatch, { invalid: [{ options: { normalize: 'yes' }, field: 'normalize' }] });
describePlugin(tokenF1Reward, { invalid: [{ options: { noAnswer: 'x' }, field: 'noAnswer' }] });
describePlugin(mathEquivalence, { invalid: [{ options: { maxChars: 0 }, field: 'maxChars' }, { options: { sources: ['latex'] }, field: 'sources' }] });
describePlugin(toolFormat, { valid: { roles: ['planner', 'worker'] }, invalid: [{ options: { missingRole: 2 }, field: 'missingRole' }] });
describePlugin(toolRl, { invalid: [{ options: { correctMax: -5 }, field: 'correctMax' }] });
describePlugin(otc, { valid: { c: 3 }, invalid: [{ options: { c: 0 }, field: 'c' }, { options: { mode: 'best' }, field: 'mode' }] });
describePlugin(toolStar, { invalid: [{ options: { task: 'code' }, field: 'task' }] });
describePlugin(unifiedCostReward, { invalid: [{ options: { toolBudgets: { search: -1 } }, field: 'toolBudgets' }] });
describePlugin(toolOrchestra, { invalid: [{ options: { preference: { outcome: 2 } }, field: 'preference.outcome' }] });
describePlugin(adaptiveMode, { invalid: [{ options: { easyThreshold: 1.5 }, field: 'easyThreshold' }] });
describePlugin(visualEvidence, { invalid: [{ options: { errorPenalty: 1 }, field: 'errorPenalty' }] });
describePlugin(softOverlong, { invalid: [{ options: { maxLength: 10, cache: 20 }, field: 'cache' }] });
describePlugin(lengthPenalty, { invalid: [{ options: { target: 10, max: 5 }, field: 'max' }] });
describePlugin(flawedPositive, { invalid: [{ options: { checker: 'genrm' }, field: 'checker' }] });
describePlugin(llmJudge, {
  valid: { url: 'http://127.0.0.1:8000/v1/chat/completions', model: 'judge' },
  invalid: [{ options: { url: 'not a url' }, field: 'url' }, { options: { retries: -1 }, field: 'retries' }],
});
const components = [{ id: 'reward/exact-match' }, { id: 'reward/otc' }];
describePlugin(weightedSum, { valid: { components }, invalid: [{ options: { components: [] }, field: 'components' }] });
describePlugin(product, { valid: { components }, invalid: [{ options: { components: [{ id: 'reward/exact-match', weight: 2 }] }, field: 'components' }] });
describePlugin(gate, {
  valid: { gate: { id: 'reward/tool-format' }, components: [{ id: 'reward/math-equivalence' }] },
  invalid: [{ options: { gate: { id: 'exact-match' } }, field: 'gate.id' }],
});
