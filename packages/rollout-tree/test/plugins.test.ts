import { runRolloutKit, runToolFormatKit } from '@tirl/core/testing';
import { entropyTemperatureRollout, arpoRollout, greedyBaselineRollout, successiveWindowRollout, hermesFormat, linearRollout, plugins, treeSearchRollout, xmlTagsFormat } from '../src';

// One greedy rollout per prompt on top of the asked ones (checked in greedy-baseline.test.ts).
runRolloutKit(greedyBaselineRollout, { exactRollouts: false, invalid: [{ options: { flagKey: '' }, field: 'flagKey' }] });
runRolloutKit(successiveWindowRollout, { invalid: [{ options: { window: 0 }, field: 'window' }] });
runRolloutKit(entropyTemperatureRollout, { invalid: [{ options: { negativeBranch: 'both' }, field: 'negativeBranch' }] });
runRolloutKit(linearRollout, { invalid: [{ options: { maxSpawnDepth: -1 }, field: 'maxSpawnDepth' }] });
runRolloutKit(arpoRollout, {
  invalid: [
    { options: { beamSize: 1 }, field: 'beamSize' },
    { options: { branchProbability: 1.5 }, field: 'branchProbability' },
  ],
});
// Tree-GRPO keeps K leaves in each of ceil(rollouts / K) trees, so the kit asks for a multiple of K.
runRolloutKit(treeSearchRollout, {
  rollouts: 6,
  invalid: [
    { options: { mode: 'mcts' }, field: 'mode' },
    { options: { leavesPerTree: 0 }, field: 'leavesPerTree' },
  ],
});
runRolloutKit(treeSearchRollout, { valid: { mode: 'portool', branchFactor: 2 }, rollouts: 3 });

const hermesCall = (name: string, args: unknown) => `<tool_call>${JSON.stringify({ name, arguments: args })}</tool_call>`;
runToolFormatKit(hermesFormat, {
  invalid: [{ options: { stopAfterCall: 'yes' }, field: 'stopAfterCall' }],
  cases: [
    { text: `Let me look.${hermesCall('search', { query: 'tirl' })}`, calls: [{ name: 'search', args: { query: 'tirl' } }] },
    { text: 'The answer is 4.', answer: 'The answer is 4.' },
    { text: '<tool_call>{"name": "search", "arguments": </tool_call>', errors: 1 },
    {
      options: { stopAfterCall: false },
      text: `${hermesCall('a', { x: 1 })}\n${hermesCall('b', {})}`,
      calls: [
        { name: 'a', args: { x: 1 } },
        { name: 'b', args: {} },
      ],
    },
  ],
});
runToolFormatKit(xmlTagsFormat, {
  cases: [
    { text: 'I will run code.<python>print(1 + 1)</python>', calls: [{ name: 'python', args: 'print(1 + 1)' }] },
    { text: 'So <answer>2</answer>', answer: '2' },
    { text: '<search>capital of France', errors: 1 },
  ],
  invalid: [
    { options: { tags: ['python', 'python'] }, field: 'tags' },
    { options: { answerTag: 'python' }, field: 'answerTag' },
    { options: { observationTag: '1bad' }, field: 'observationTag' },
  ],
});

it('exports every plugin once', () => {
  expect(plugins.map((p) => p.id).sort()).toEqual([
    'rollout/a2fm-apo',
    'rollout/arpo',
    'rollout/async',
    'rollout/backtrack-on-failure',
    'rollout/dfsdt',
    'rollout/entropy-temperature',
    'rollout/failed-step-regeneration',
    'rollout/greedy-baseline',
    'rollout/linear',
    'rollout/policy-augmented',
    'rollout/successive-window',
    'rollout/tree-search',
    'toolFormat/hermes',
    'toolFormat/parallel-calls',
    'toolFormat/xml-tags',
  ]);
});
