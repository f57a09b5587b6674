import fc from 'fast-check';
import type { SegmentSource } from '@tirl/core';
import { leakGuard } from '@tirl/core/testing';
import { gae, grpo, matpo, portool, reinforcePlusPlus, remax, treeGrpo, xrpoNovelty, aspo, hapoTokenGroup, plugins } from '../src';
import { batchOf, instanceOf, runStep, type RowSpec, type StepInput } from './helpers';

const score = fc.integer({ min: -3, max: 3 }).map((x) => x / 2);
const segments = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 3 })
  .map((turns) => {
    const segs: [SegmentSource, number][] = [['prompt', 1]];
    for (const [policy, tool] of turns) {
      segs.push(['policy', policy]);
      if (tool > 0) segs.push(['tool', tool]);
    }
    return segs;
  });
const rows = fc
  .array(fc.record({ group: fc.constantFrom('g0', 'g1', 'g2'), segments, score }), { minLength: 1, maxLength: 6 })
  .map((list): RowSpec[] => list.map((r, i) => ({ id: `r${i}`, ...r, meta: { baselineReward: 0.25 } })));

/** `[B, T]` of the batch these rows build (with `pad` extra pad rows). */
function shape(spec: RowSpec[], pad = 0): [number, number] {
  const batch = batchOf(spec, spec.length + pad);
  const out: [number, number] = [batch.ids.shape[0], batch.ids.shape[1]];
  batch.dispose();
  return out;
}

function maskOf(spec: RowSpec[], pad = 0): number[][] {
  const batch = batchOf(spec, spec.length + pad);
  const m = batch.lossMask.arraySync();
  batch.dispose();
  return m;
}

const matrix = (B: number, T: number, seed: number) =>
  Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => Math.sin(seed + 7 * b + 3 * t)));

/** The same matrix with every off-mask entry replaced. */
const scrambleOffMask = (m: number[][], mask: number[][], seed: number) =>
  m.map((row, b) => row.map((x, t) => (mask[b][t] > 0 ? x : 100 * Math.cos(seed + b * 11 + t))));

describe('masked positions never change any output', () => {
  const estimators = [gae, reinforcePlusPlus, remax, grpo];
  it.each(estimators.map((d) => [d.id, d] as const))('%s: values and token rewards off the mask are ignored', (_id, def) => {
    fc.assert(
      fc.property(rows, fc.integer({ min: 0, max: 1000 }), (spec, seed) => {
        const [B, T] = shape(spec, 1);
        const mask = maskOf(spec, 1);
        const base: StepInput = { rows: spec, padRowsTo: B, values: matrix(B, T, seed), tokenRewards: matrix(B, T, seed + 1) };
        const moved: StepInput = { ...base, values: scrambleOffMask(base.values!, mask, seed), tokenRewards: scrambleOffMask(base.tokenRewards!, mask, seed + 5) };
        const a = runStep(def, instanceOf(def), base);
        const b = runStep(def, instanceOf(def), moved);
        expect(b).toEqual(a);
        // and the output itself is zero off the mask and on the pad row
        a.advantages.forEach((row, r) => row.forEach((x, t) => mask[r][t] === 0 && expect(x).toBe(0)));
      }),
      { numRuns: 40 },
    );
  });

  it.each([xrpoNovelty, aspo, hapoTokenGroup].map((d) => [d.id, d] as const))('%s: incoming advantages off the mask are ignored', (_id, def) => {
    fc.assert(
      fc.property(rows, fc.integer({ min: 0, max: 1000 }), (spec, seed) => {
        const [B, T] = shape(spec, 1);
        const mask = maskOf(spec, 1);
        const incoming = matrix(B, T, seed).map((row, b) => row.map((x, t) => x * mask[b][t]));
        const a = runStep(def, instanceOf(def), { rows: spec, padRowsTo: B, advantages: incoming });
        const b = runStep(def, instanceOf(def), { rows: spec, padRowsTo: B, advantages: scrambleOffMask(incoming, mask, seed) });
        expect(b).toEqual(a);
      }),
      { numRuns: 40 },
    );
  });
});

describe('GRPO', () => {
  it('gives zero advantage to every zero-variance group, whatever the options', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), score), { minLength: 1, maxLength: 4 }),
        fc.record({ normByStd: fc.boolean(), stdKind: fc.constantFrom('unbiased', 'population'), eps: fc.constantFrom(0, 1e-6, 1e-4) }),
        (groups, options) => {
          const spec: RowSpec[] = groups.flatMap(([n, s], g) =>
            Array.from({ length: n }, (_, i) => ({ id: `g${g}r${i}`, group: `g${g}`, segments: [['prompt', 1], ['policy', 2]] as [SegmentSource, number][], score: s })),
          );
          const out = runStep(grpo, instanceOf(grpo, options), { rows: spec });
          for (const row of out.advantages) for (const x of row) expect(x).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('MATPO', () => {
  const tree = fc.array(fc.tuple(score, fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 4 }).map((roots) => {
    const spec: RowSpec[] = [];
    roots.forEach(([s, workers], i) => {
      spec.push({ id: `p${i}`, segments: [['prompt', 1], ['policy', 2], ['tool', 1], ['policy', 1]], score: s });
      for (let w = 0; w < workers; w++) spec.push({ id: `p${i}w${w}`, parent: `p${i}`, root: `p${i}`, segments: [['prompt', 2], ['policy', 3]], score: 0 });
    });
    return spec;
  });

  it('never lets a worker score into the statistics', () => {
    fc.assert(
      fc.property(tree, fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 8, maxLength: 8 }), fc.constantFrom('scalar', 'parent-row'), (spec, noise, broadcast) => {
        const noisy = spec.map((r, i) => (r.parent ? { ...r, score: noise[i % noise.length] } : r));
        const a = runStep(matpo, instanceOf(matpo, { broadcast }), { rows: spec, padRowsTo: spec.length + 1 });
        const b = runStep(matpo, instanceOf(matpo, { broadcast }), { rows: noisy, padRowsTo: spec.length + 1 });
        expect(b).toEqual(a);
      }),
      { numRuns: 50 },
    );
  });

  it('equals GRPO over the planner rows alone, and gives each worker its planner scalar on its own mask', () => {
    fc.assert(
      fc.property(tree, (spec) => {
        const planners = spec.filter((r) => !r.parent);
        const withWorkers = runStep(matpo, instanceOf(matpo), { rows: spec });
        const alone = runStep(grpo, instanceOf(grpo), { rows: planners });
        planners.forEach((p, k) => {
          const b = spec.indexOf(p);
          expect(withWorkers.advantages[b].slice(0, alone.advantages[k].length)).toEqual(alone.advantages[k]);
          const scalar = alone.advantages[k][1];
          spec.forEach((w, c) => {
            if (w.parent === p.id) expect(withWorkers.advantages[c]).toEqual([0, 0, scalar, scalar, scalar]);
          });
        });
      }),
      { numRuns: 50 },
    );
  });
});

describe('tree estimators', () => {
  const flat = fc.array(score, { minLength: 1, maxLength: 5 });

  it('tree-grpo: single-branch trees give the same advantages as the flat rollout (plain GRPO)', () => {
    fc.assert(
      fc.property(flat, (scores) => {
        const spec: RowSpec[] = scores.map((s, i) => ({ id: `l${i}`, segments: [['prompt', 1], ['policy', 2]], score: s }));
        const branched = spec.map((r, i) => ({ ...r, treePath: [`tree${i}`, r.id] }));
        const plain = runStep(grpo, instanceOf(grpo), { rows: spec });
        expect(runStep(treeGrpo, instanceOf(treeGrpo), { rows: spec })).toEqual(plain);
        expect(runStep(treeGrpo, instanceOf(treeGrpo), { rows: branched })).toEqual(plain);
      }),
      { numRuns: 40 },
    );
  });

  it('portool: a chain-shaped tree per leaf (no sibling steps) gives the flat GRPO advantages', () => {
    fc.assert(
      fc.property(flat, (scores) => {
        const spec: RowSpec[] = scores.map((s, i) => ({
          id: `l${i}`,
          segments: [['prompt', 1], ['policy', 4]],
          score: s,
          treePath: [`root${i}`, `step${i}`],
          toolCalls: [{ turn: 1, ok: true }],
        }));
        const trees = spec.map((r, i) => ({
          id: `t${i}`,
          nodes: [
            { id: `root${i}`, tokenOffset: 0, turn: 0 },
            { id: `step${i}`, parentId: `root${i}`, tokenOffset: 3, turn: 1 },
          ],
          leaves: [r.id],
        }));
        const plain = runStep(grpo, instanceOf(grpo), { rows: spec });
        expect(runStep(portool, instanceOf(portool), { rows: spec, trees })).toEqual(plain);
      }),
      { numRuns: 40 },
    );
  });
});

describe('every plugin', () => {
  it('leaves no tensors behind', () => {
    const spec: RowSpec[] = [
      { id: 'a', segments: [['prompt', 1], ['policy', 2]], score: 1, meta: { baselineReward: 0, actionSpans: [[1, 2]] }, rewardComponents: { 'reward/tool-format': 1 } },
      { id: 'b', segments: [['prompt', 1], ['policy', 1], ['tool', 1], ['policy', 1]], score: 0, meta: { baselineReward: 0 }, rewardComponents: { 'reward/tool-format': 0 } },
    ];
    for (const def of plugins) {
      const guard = leakGuard();
      runStep(def, instanceOf(def), { rows: spec, values: [[0, 0, 0, 0], [0, 0, 0, 0]], trees: [] });
      guard.check(def.id);
    }
  });
});
