import { parseOptions, type GroupFilter, type PluginContext, type Tokenizer, type Trajectory } from '@tirl/core';
import { runFilterKit, testPluginContext } from '@tirl/core/testing';
import { adacotSlm, decisionTokenIndex } from '../src';

/** One token per word: 1 `<think>`, 2 `</think>`, 3 `A`, 4 `B`, 5 `x`, 9 `Q`. */
const WORDS: Record<number, string> = { 1: '<think>', 2: '</think>', 3: 'A', 4: 'B', 5: 'x', 9: 'Q' };
const wordTokenizer = { decode: (ids: readonly number[]) => ids.map((i) => WORDS[i] ?? '?').join('') } as unknown as Tokenizer;

const withTokenizer = (ctx: PluginContext): PluginContext => ({ ...ctx, services: { tokenizer: wordTokenizer } });
const create = (options: Record<string, unknown> = {}) =>
  adacotSlm.create(parseOptions(adacotSlm.id, adacotSlm.options, options), withTokenizer(testPluginContext(adacotSlm.id))) as GroupFilter;

runFilterKit(adacotSlm, {
  create: (ctx) => adacotSlm.create(parseOptions(adacotSlm.id, adacotSlm.options, {}), withTokenizer(ctx)),
  invalid: [{ options: { fromStep: 5, untilStep: 5 }, field: 'untilStep' }, { options: { thinkOpen: '' }, field: 'thinkOpen' }],
});

function traj(id: string, prompt: number[], policy: number[]): Trajectory {
  return {
    id,
    sampleId: 'q',
    groupId: 'q',
    rootId: id,
    role: 'agent',
    segments: [
      { source: 'prompt', role: 'agent', tokenIds: prompt },
      { source: 'policy', role: 'agent', tokenIds: policy, logProbs: policy.map((_, i) => -(i + 1)), turn: 0 },
    ],
    toolCalls: [],
  };
}

/** 1 on trained (policy) tokens after the prompt. */
const lossMask = (t: Trajectory) => t.segments.filter((s) => s.source !== 'prompt').flatMap((s) => s.tokenIds.map(() => (s.source === 'policy' ? 1 : 0)));

describe('filter/adacot-slm (AdaCoT selective loss masking)', () => {
  it('worked example: [<think>, </think>, A, B] all policy → loss mask [1, 0, 1, 1]', () => {
    // The decision token is the first policy token after <think>; here `</think>` (skip).
    const out = create().filter({ groups: [{ sampleId: 'q', trajectories: [traj('a', [9], [1, 2, 3, 4])] }], step: 0, targetGroups: 1 });
    const t = out.groups[0].trajectories[0];
    expect(lossMask(t)).toEqual([1, 0, 1, 1]);
    // Log-probs stay with the trained tokens they belong to: −1 for <think>, −3 and −4 for A, B.
    expect(t.segments.filter((s) => s.source === 'policy').map((s) => s.logProbs)).toEqual([[-1], [-3, -4]]);
    expect(out.metrics?.['filter/adacot-slm/masked']).toBe(1);
  });

  it('a template that opens <think> in the prompt makes the first policy token the decision', () => {
    const t = traj('b', [9, 1], [5, 5, 2, 3]);
    expect(decisionTokenIndex(t, wordTokenizer, '<think>')).toEqual({ segment: 1, index: 0 });
    const out = create().filter({ groups: [{ sampleId: 'q', trajectories: [t] }], step: 0, targetGroups: 1 });
    expect(lossMask(out.groups[0].trajectories[0])).toEqual([0, 1, 1, 1]);
  });

  it('no think block: nothing masked; outside [fromStep, untilStep) nothing masked', () => {
    const plain = traj('c', [9], [3, 4]);
    expect(decisionTokenIndex(plain, wordTokenizer, '<think>')).toBeUndefined();
    const f = create({ fromStep: 2, untilStep: 4 });
    const group = () => [{ sampleId: 'q', trajectories: [traj('a', [9], [1, 2, 3, 4])] }];
    expect(lossMask(f.filter({ groups: group(), step: 1, targetGroups: 1 }).groups[0].trajectories[0])).toEqual([1, 1, 1, 1]);
    expect(lossMask(f.filter({ groups: group(), step: 3, targetGroups: 1 }).groups[0].trajectories[0])).toEqual([1, 0, 1, 1]);
    expect(lossMask(f.filter({ groups: group(), step: 4, targetGroups: 1 }).groups[0].trajectories[0])).toEqual([1, 1, 1, 1]);
  });
});
