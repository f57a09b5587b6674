import * as tf from '@tensorflow/tfjs-core';
import type { GroupFilter, PromptSampler } from '@tirl/core';
import { expectNoLeaks } from '@tirl/core/testing';
import { d3sTokenMask, dynamicSampling, epochShuffle, overlongFilter, scafHints, topFractionMask, withHints, xrpoAllocator } from '../src';
import { create, finished, group, sample } from './helpers';

const dataset = ['a', 'b', 'c', 'd', 'e'].map((id) => sample(id));

describe('sampler/epoch-shuffle', () => {
  it('visits every sample once per epoch, reproducibly from the seed', () => {
    const s = create<PromptSampler>(epochShuffle, {}, 42);
    s.setDataset(dataset);
    const epoch1 = s.next(5, 0).map((x) => x.sample.id);
    const epoch2 = s.next(5, 1).map((x) => x.sample.id);
    expect([...epoch1].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect([...epoch2].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    const again = create<PromptSampler>(epochShuffle, {}, 42);
    again.setDataset(dataset);
    expect(again.next(10, 0).map((x) => x.sample.id)).toEqual([...epoch1, ...epoch2]);
  });

  it('continues identically after a JSON state round trip', () => {
    const s = create<PromptSampler>(epochShuffle, {}, 7);
    s.setDataset(dataset);
    s.next(3, 0);
    const saved = JSON.parse(JSON.stringify(s.state?.()));
    const expected = s.next(9, 1).map((x) => x.sample.id);
    const restored = create<PromptSampler>(epochShuffle, {}, 999);
    restored.setDataset(dataset);
    restored.loadState?.(saved);
    expect(restored.next(9, 1).map((x) => x.sample.id)).toEqual(expected);
  });

  it('rejects an empty dataset with a message that says what to do', () => {
    const s = create<PromptSampler>(epochShuffle);
    expect(() => s.setDataset([])).toThrow(/sampler\/epoch-shuffle: the dataset is empty/);
  });
});

describe('sampler/xrpo-allocator', () => {
  it('keeps its reward statistics across a state round trip', () => {
    const s = create<PromptSampler>(xrpoAllocator, { rolloutsPerPrompt: 3, shuffle: false });
    s.setDataset([sample('A'), sample('B')]);
    s.observe?.([{ sampleId: 'B', rewards: [1, 0, 1, 0, NaN] }]);
    const restored = create<PromptSampler>(xrpoAllocator, { rolloutsPerPrompt: 3, shuffle: false });
    restored.setDataset([sample('A'), sample('B')]);
    restored.loadState?.(JSON.parse(JSON.stringify(s.state?.())));
    expect(restored.next(2, 0).map((x) => x.rollouts)).toEqual([4, 2]);
  });
});

describe('sampler/scaf-hints', () => {
  it('appends cumulative hints to the last user message without touching the original sample', () => {
    const original = sample('q', { hints: ['use symmetry', 'x = 2'] });
    const hinted = withHints(original, 2, 'Hint {level}: {hint}');
    expect(hinted.messages[0].content).toBe('question q\n\nHint 1: use symmetry\nHint 2: x = 2');
    expect(original.messages[0].content).toBe('question q');
    expect(withHints(sample('p'), 3, 'Hint: {hint}')).toEqual(sample('p'));
  });

  it('serialises its per-sample tiers', () => {
    const s = create<PromptSampler>(scafHints, { warmupSteps: 0, shuffle: false });
    s.setDataset([sample('q', { hints: ['h1'] })]);
    s.next(1, 0);
    s.observe?.([{ sampleId: 'q', rewards: [0, 0] }]);
    const restored = create<PromptSampler>(scafHints, { warmupSteps: 0, shuffle: false });
    restored.setDataset([sample('q', { hints: ['h1'] })]);
    restored.loadState?.(JSON.parse(JSON.stringify(s.state?.())));
    expect(restored.next(1, 1)[0].sample.meta?.hintLevel).toBe(1);
  });
});

describe('filter/dynamic-sampling', () => {
  it('starts over on a new step and throws with a fix when asked to', () => {
    const f = create<GroupFilter>(dynamicSampling, { maxGenerations: 1, onExhausted: 'error' });
    expect(() => f.filter({ groups: [group('g', [1, 1])], step: 0, targetGroups: 1 })).toThrow(/Raise maxGenerations, lower minStd/);
    const ok = create<GroupFilter>(dynamicSampling, {});
    ok.filter({ groups: [group('g1', [0, 1])], step: 0, targetGroups: 2 });
    const saved = JSON.parse(JSON.stringify(ok.state?.()));
    const restored = create<GroupFilter>(dynamicSampling, {});
    restored.loadState?.(saved);
    const out = restored.filter({ groups: [group('g2', [1, 0])], step: 0, targetGroups: 2 });
    expect(out.groups.map((g) => g.sampleId)).toEqual(['g1', 'g2']);
    const next = restored.filter({ groups: [group('g3', [1, 0])], step: 1, targetGroups: 2 });
    expect(next.groups.map((g) => g.sampleId)).toEqual(['g3']);
    expect(next.needMore).toBe(true);
  });

  it('treats a NaN reward (a failed reward) as not informative', () => {
    const f = create<GroupFilter>(dynamicSampling, { maxGenerations: 0 });
    const out = f.filter({ groups: [group('g', [NaN, 1])], step: 0, targetGroups: 1 });
    expect(out.groups).toHaveLength(0);
    expect(out.needMore).toBe(true);
  });
});

describe('token selection', () => {
  it('does not leak tensors and validates rho and shapes', async () => {
    await expectNoLeaks(() => {
      const a = tf.ones([2, 3]) as tf.Tensor2D;
      const m = d3sTokenMask(a, a, a, 0.5);
      tf.dispose([a, m]);
    });
    const x = tf.ones([2, 3]) as tf.Tensor2D;
    const y = tf.ones([3, 2]) as tf.Tensor2D;
    expect(() => topFractionMask(x, x, 0)).toThrow(/rho must be in \(0, 1\]/);
    expect(() => topFractionMask(x, y, 0.5)).toThrow(/same \[B, T\] shape/);
    tf.dispose([x, y]);
  });

  it('keeps nothing when no token is valid', () => {
    const out = tf.tidy(() => topFractionMask(tf.ones([1, 2]), tf.zeros([1, 2]), 0.5).arraySync());
    expect(out).toEqual([[0, 0]]);
  });
});

describe('masking filters return copies, once per group', () => {
  it('overlong masks a copy, leaves the input alone, and maps a group seen again to the same object', () => {
    const filter = create<GroupFilter>(overlongFilter);
    const g = finished(['stop', 'length']);
    const first = filter.filter({ groups: [g], step: 0, targetGroups: 1 }).groups[0];
    const again = filter.filter({ groups: [g], step: 0, targetGroups: 1 }).groups[0];
    expect(g.trajectories.map((t) => t.meta?.masked)).toEqual([undefined, undefined]);
    expect(first.trajectories.map((t) => t.meta?.masked)).toEqual([undefined, true]);
    expect(again).toBe(first);
  });
});
