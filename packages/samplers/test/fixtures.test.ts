import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { GroupFilter, PromptSampler } from '@tirl/core';
import { runFixtures } from '@tirl/core/testing';
import { curriculum, d3sSample, d3sTokenMask, dynamicSampling, overlongFilter, scafHints, topEntropyMask, voidMask, xrpoAllocator } from '../src';
import { create, finished, group, sample, traj } from './helpers';

const fixture = (name: string) => path.join(__dirname, 'fixtures', `${name}.json`);

interface DynInput {
  options: Record<string, unknown>;
  target: number;
  calls: Record<string, number[]>[];
}
runFixtures<DynInput, unknown>('filter/dynamic-sampling fixtures', fixture('dynamic-sampling'), (input) => {
  const f = create<GroupFilter>(dynamicSampling, input.options);
  return input.calls.map((call) => {
    const out = f.filter({ groups: Object.entries(call).map(([id, r]) => group(id, r)), step: 7, targetGroups: input.target });
    const m = out.metrics ?? {};
    return {
      groups: out.groups.map((g) => g.sampleId),
      needMore: out.needMore ? 1 : 0,
      kept: m['filter/dynamic-sampling/kept'],
      dropped: m['filter/dynamic-sampling/dropped'],
      generations: m['filter/dynamic-sampling/generations'],
      exhausted: m['filter/dynamic-sampling/exhausted'],
    };
  });
});

runFixtures<{ options: Record<string, unknown>; finish: string[] }, unknown>('filter/overlong fixtures', fixture('overlong'), (input) => {
  const out = create<GroupFilter>(overlongFilter, input.options).filter({ groups: [finished(input.finish as never[])], step: 0, targetGroups: 1 });
  const rows = out.groups.flatMap((g) => g.trajectories);
  return { masked: rows.map((t) => (t.meta?.masked ? 1 : 0)), kept: rows.length, truncated: out.metrics?.['filter/overlong/truncated'] };
});

interface VoidRow {
  text: string;
  finish?: string;
  calls?: number;
}
runFixtures<{ options: Record<string, unknown>; rows: VoidRow[] }, unknown>('filter/void-mask fixtures', fixture('void-mask'), (input) => {
  const g = {
    sampleId: 'g',
    trajectories: input.rows.map((r, i) =>
      traj(`t${i}`, 'g', 0, {
        finishReason: r.finish as never,
        toolCalls: Array.from({ length: r.calls ?? 0 }, () => ({ turn: 0, name: 's', args: {}, ok: true, observation: '' })),
      }, r.text),
    ),
  };
  const out = create<GroupFilter>(voidMask, input.options).filter({ groups: [g], step: 0, targetGroups: 1 });
  return { masked: out.groups[0].trajectories.map((t) => (t.meta?.masked ? 1 : 0)), void: out.metrics?.['filter/void-mask/void'] };
});

runFixtures<{ options: Record<string, unknown>; step: number; rewards: number[] }, unknown>('filter/d3s-sample fixtures', fixture('d3s-sample'), (input) => {
  const out = create<GroupFilter>(d3sSample, input.options).filter({ groups: [group('g', input.rewards)], step: input.step, targetGroups: 1 });
  return { kept: out.groups[0].trajectories.map((t) => Number(t.id.split('-')[1])) };
});

interface AllocInput {
  options: Record<string, unknown>;
  dataset: string[];
  observe: { sampleId: string; rewards: number[] }[];
  n: number;
}
runFixtures<AllocInput, unknown>('sampler/xrpo-allocator fixtures', fixture('xrpo-allocator'), (input) => {
  const s = create<PromptSampler>(xrpoAllocator, input.options);
  s.setDataset(input.dataset.map((id) => sample(id)));
  s.observe?.(input.observe);
  return { rollouts: s.next(input.n, 0).map((x) => x.rollouts) };
});

runFixtures<{ options: Record<string, unknown>; hints: string[]; outcomes: number[][] }, unknown>('sampler/scaf-hints fixtures', fixture('scaf-hints'), (input) => {
  const s = create<PromptSampler>(scafHints, input.options);
  s.setDataset([sample('q', { hints: input.hints })]);
  return {
    levels: input.outcomes.map((rewards, step) => {
      const [{ sample: served }] = s.next(1, step);
      s.observe?.([{ sampleId: 'q', rewards }]);
      return (served.meta?.hintLevel as number | undefined) ?? 0;
    }),
  };
});

interface CurriculumInput {
  options: Record<string, unknown>;
  dataset: [string, number][];
  steps: number[];
  draws: number;
}
runFixtures<CurriculumInput, unknown>('sampler/curriculum fixtures', fixture('curriculum'), (input) => {
  const s = create<PromptSampler>(curriculum, input.options);
  s.setDataset(input.dataset.map(([id, difficulty]) => sample(id, { difficulty })));
  // one prompt per call, many calls: the pool is every id that ever comes out at that step
  const drawn = (step: number) => Array.from({ length: input.draws }, () => s.next(1, step)[0].sample.id);
  return { pools: input.steps.map((step) => [...new Set(drawn(step))].sort()) };
});

runFixtures<{ fn: string; rho: number; perSequence?: boolean }, unknown>('token selection fixtures', fixture('topk-tokens'), (input) =>
  tf.tidy(() => {
    const adv = tf.tensor2d([[1, -2, 0.5], [0, 3, 1]]);
    const ent = tf.tensor2d([[1, 1, 2], [1, 0.5, 1]]);
    const mask = tf.tensor2d([[1, 1, 1], [1, 1, 0]]);
    const out = input.fn === 'd3s' ? d3sTokenMask(adv, ent, mask, input.rho, input.perSequence) : topEntropyMask(ent, mask, input.rho);
    return out.arraySync();
  }),
);
