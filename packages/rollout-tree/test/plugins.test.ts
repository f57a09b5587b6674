import { describePlugin } from '@tirl/core/testing';
import { arpoRollout, hermesFormat, linearRollout, plugins, treeSearchRollout, xmlTagsFormat } from '../src';

describePlugin(linearRollout, { invalid: [{ options: { maxSpawnDepth: -1 }, field: 'maxSpawnDepth' }] });
describePlugin(arpoRollout, {
  invalid: [
    { options: { beamSize: 1 }, field: 'beamSize' },
    { options: { branchProbability: 1.5 }, field: 'branchProbability' },
  ],
});
describePlugin(treeSearchRollout, {
  invalid: [
    { options: { mode: 'mcts' }, field: 'mode' },
    { options: { leavesPerTree: 0 }, field: 'leavesPerTree' },
  ],
});
describePlugin(hermesFormat, { invalid: [{ options: { stopAfterCall: 'yes' }, field: 'stopAfterCall' }] });
describePlugin(xmlTagsFormat, {
  invalid: [
    { options: { tags: ['python', 'python'] }, field: 'tags' },
    { options: { answerTag: 'python' }, field: 'answerTag' },
    { options: { observationTag: '1bad' }, field: 'observationTag' },
  ],
});

it('exports every plugin once', () => {
  expect(plugins.map((p) => p.id).sort()).toEqual(['rollout/arpo', 'rollout/linear', 'rollout/tree-search', 'toolFormat/hermes', 'toolFormat/xml-tags']);
});
