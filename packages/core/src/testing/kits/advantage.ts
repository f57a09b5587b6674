import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, type Batch } from '../../data/batch';
import type { Trajectory } from '../../data/trajectory';
import type { RolloutTree } from '../../data/tree';
import type { AdvantageEstimator, AdvantageInput, AdvantageOutput, AdvantageTransform } from '../../kinds/algorithm';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { Rng } from '../../random/rng';
import { expectClose, toPlain } from '../numbers';
import { makeTrajectory } from '../trajectories';
import { leakGuard } from '../leaks';
import { check, clonePlain, deepFreeze, describeKit, expectFinite, expectMetricKeys, instantiate, type KitOptions } from './common';

/** One step's worth of rollouts for an advantage kit. */
export interface AdvantageCase {
  name?: string;
  options?: Record<string, unknown>;
  /** The trajectories (rewards in `reward`), in batch order; children follow their roots. */
  trajectories: Trajectory[];
  /** Rollout trees (default: one tree per group whose root node every trajectory passes through). */
  trees?: RolloutTree[];
}

export interface AdvantageKitOptions extends KitOptions {
  /** Default: two groups of three (one with distinct rewards, one with equal rewards) over prompt, policy and tool tokens. */
  cases?: AdvantageCase[];
}

/** The default rollouts: group `a` with rewards 1, 0, 0.5 and group `b` with rewards 0, 0, 0. */
export function defaultAdvantageCases(): AdvantageCase[] {
  const shapes: [string, number, [('prompt' | 'policy' | 'tool'), number][]][] = [
    ['a', 1, [['prompt', 2], ['policy', 3], ['tool', 1], ['policy', 2]]],
    ['a', 0, [['prompt', 2], ['policy', 1]]],
    ['a', 0.5, [['prompt', 2], ['policy', 2], ['tool', 2], ['policy', 1]]],
    ['b', 0, [['prompt', 3], ['policy', 4]]],
    ['b', 0, [['prompt', 3], ['policy', 2], ['tool', 1], ['policy', 1]]],
    ['b', 0, [['prompt', 3], ['policy', 3]]],
  ];
  const trajectories = shapes.map(([group, reward, segments], i) => {
    const t = makeTrajectory({ id: `${group}${i}`, groupId: group, reward, segments, logProb: -0.7 });
    t.sampleId = group;
    t.segments.forEach((s, k) => (s.turn = k));
    return t;
  });
  return [{ name: 'two groups', trajectories }];
}

/** One tree per group: a root node at the end of the prompt that every trajectory of the group passes through. */
function treesOf(trajectories: readonly Trajectory[]): RolloutTree[] {
  const byGroup = new Map<string, Trajectory[]>();
  for (const t of trajectories) if (t.parentId === undefined) byGroup.set(t.groupId, [...(byGroup.get(t.groupId) ?? []), t]);
  return [...byGroup.entries()].map(([group, list]) => ({
    id: `tree-${group}`,
    sampleId: list[0].sampleId,
    nodes: [{ id: `${group}:root`, tokenOffset: list[0].segments[0]?.tokenIds.length ?? 0, turn: 0, reason: 'root' }],
    trajectories: list,
  }));
}

interface Built {
  input: AdvantageInput;
  dispose(): void;
}

/** Builds the kit input: batch (optionally padded), scores, and the inputs the plugin requires. */
function buildInput(def: AnyPluginDefinition, c: AdvantageCase, pad: { rows?: number; time?: number; perturb?: boolean } = {}): Built {
  const trajectories = c.trajectories.map((t) => (t.treePath || t.parentId !== undefined ? t : { ...t, treePath: [`${t.groupId}:root`] }));
  deepFreeze(trajectories);
  const longest = Math.max(...trajectories.map((t) => t.segments.reduce((n, s) => n + s.tokenIds.length, 0)));
  const batch: Batch = buildBatch(trajectories, { padRowsTo: trajectories.length + (pad.rows ?? 0), minLength: longest + (pad.time ?? 0) });
  const [B, T] = batch.ids.shape;
  const scores = Float32Array.from({ length: B }, (_, b) => trajectories[b]?.reward ?? 0);
  const rng = new Rng(7);
  const perturbRng = new Rng(99);
  const table = (lo: number, hi: number) => {
    const values = new Float32Array(B * T);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        // Trained positions of real rows draw from a stream indexed by (row, position) so padding does not move them.
        const trained = batch.lossMaskValues[b * T + t] === 1;
        const r = b < trajectories.length && t < longest ? new Rng(`${b}:${t}:${lo}`).next() : rng.next();
        values[b * T + t] = lo + (hi - lo) * (pad.perturb && !trained ? 5 * perturbRng.next() : r);
      }
    }
    return tf.tensor2d(values, [B, T]);
  };
  const input: AdvantageInput = { batch, scores };
  const requires = def.requires ?? [];
  if (requires.includes('values')) input.values = table(-1, 1);
  if (requires.includes('entropies')) input.entropies = table(0.05, 2);
  if (requires.includes('tokenRewards')) input.tokenRewards = table(-0.1, 0.1);
  if (requires.includes('trees')) input.trees = c.trees ?? treesOf(trajectories);
  return {
    input,
    dispose: () => {
      batch.dispose();
      tf.dispose([input.values, input.entropies, input.tokenRewards].filter((x): x is tf.Tensor2D => !!x));
    },
  };
}

interface Plain {
  advantages: number[][];
  returns?: number[][];
  valueMask?: number[][];
  tokenMask?: number[][];
  metrics: Record<string, number>;
}

function plainOutput(out: AdvantageOutput): Plain {
  const plain: Plain = { advantages: out.advantages.arraySync(), metrics: { ...(out.metrics ?? {}) } };
  if (out.returns) plain.returns = out.returns.arraySync();
  if (out.valueMask) plain.valueMask = out.valueMask.arraySync();
  if (out.tokenMask) plain.tokenMask = out.tokenMask.arraySync();
  out.advantages.dispose();
  out.returns?.dispose();
  out.valueMask?.dispose();
  out.tokenMask?.dispose();
  return plain;
}

type Compute = (instance: unknown, input: AdvantageInput) => AdvantageOutput;

/** Seeded advantages on the trained positions of a batch (the input of a transform). */
function seededAdvantages(batch: Batch, perturb: boolean): tf.Tensor2D {
  const [B, T] = batch.ids.shape;
  const values = new Float32Array(B * T);
  const other = new Rng(5);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const trained = batch.lossMaskValues[b * T + t] === 1 && batch.rowKinds[b] !== 'pad';
      values[b * T + t] = trained ? 2 * new Rng(`adv:${b}:${t}`).next() - 1 : perturb ? 10 * other.next() - 5 : 0;
    }
  }
  return tf.tensor2d(values, [B, T]);
}

function advantageChecks(def: AnyPluginDefinition, kit: AdvantageKitOptions, compute: Compute, transform: boolean): void {
  const tol = kit.tol ?? 1e-5;
  const run = (c: AdvantageCase, pad: { rows?: number; time?: number; perturb?: boolean } = {}, seed = kit.seed): Plain => {
    const instance = instantiate(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, { ...kit, seed });
    const { input, dispose } = buildInput(def, c, pad);
    const adv = transform ? seededAdvantages(input.batch, !!pad.perturb) : undefined;
    try {
      return plainOutput(compute(instance, adv ? { ...input, advantages: adv } as AdvantageInput : input));
    } finally {
      adv?.dispose();
      dispose();
    }
  };
  const realShape = (c: AdvantageCase, values: number[][]) => {
    const T = Math.max(...c.trajectories.map((t) => t.segments.reduce((n, s) => n + s.tokenIds.length, 0)));
    return values.slice(0, c.trajectories.length).map((row) => row.slice(0, T));
  };

  for (const c of kit.cases ?? defaultAdvantageCases()) {
    describe(c.name ?? 'case', () => {
      check(kit, 'shape', 'advantages are [B, T], finite, and 0 off the loss mask and on pad rows', () => {
        const { input, dispose } = buildInput(def, c, { rows: 1 });
        const mask = Array.from(input.batch.lossMaskValues);
        const [B, T] = input.batch.ids.shape;
        dispose();
        const out = run(c, { rows: 1 });
        expect([out.advantages.length, out.advantages[0]?.length]).toEqual([B, T]);
        expectFinite(def.id, out.advantages.flat());
        out.advantages.flat().forEach((v, i) => {
          if (mask[i] === 0 && v !== 0) throw new Error(`${def.id}: advantage ${v} at untrained flat index ${i}`);
        });
        if (out.returns) expect([out.returns.length, out.returns[0]?.length]).toEqual([B, T]);
        if (out.tokenMask) {
          expect([out.tokenMask.length, out.tokenMask[0]?.length]).toEqual([B, T]);
          out.tokenMask.flat().forEach((v, i) => {
            if (v !== 0 && v !== 1) throw new Error(`${def.id}: token mask value ${v} at flat index ${i} is not 0 or 1`);
            if (v === 1 && mask[i] === 0) throw new Error(`${def.id}: token mask keeps untrained flat index ${i}`);
          });
        }
        for (const [k, v] of Object.entries(out.metrics)) expect([k, Number.isFinite(v)]).toEqual([k, true]);
      });

      check(kit, 'metric-keys', 'metric keys are <kind>/<name>/<metric>', () => {
        expectMetricKeys(def, Object.keys(run(c).metrics));
      });

      check(kit, 'padding', 'pad rows and extra time steps do not change the real rows', () => {
        const base = run(c);
        expectClose(realShape(c, run(c, { rows: 2 }).advantages), realShape(c, base.advantages), tol);
        expectClose(realShape(c, run(c, { time: 3 }).advantages), realShape(c, base.advantages), tol);
      });

      check(kit, 'masking', 'inputs at untrained positions (values, entropies, token rewards, advantages) change nothing', () => {
        const base = run(c, { rows: 1 });
        const moved = run(c, { rows: 1, perturb: true });
        expectClose(moved.advantages, base.advantages, tol);
        if (base.tokenMask) expectClose(moved.tokenMask!, base.tokenMask, tol);
        expectClose(moved.metrics, base.metrics, tol);
      });

      check(kit, 'mutation', 'the trajectories (frozen) and the scores are not modified', () => {
        const before = clonePlain(c.trajectories);
        const { input, dispose } = buildInput(def, c);
        const scores = Array.from(input.scores);
        const adv = transform ? seededAdvantages(input.batch, false) : undefined;
        const instance = instantiate(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
        plainOutput(compute(instance, adv ? ({ ...input, advantages: adv } as AdvantageInput) : input));
        adv?.dispose();
        expect(Array.from(input.scores)).toEqual(scores);
        dispose();
        expect(toPlain(c.trajectories)).toEqual(toPlain(before));
      });

      check(kit, 'leaks', 'computing and disposing the outputs leaves no tensor behind', () => {
        const leaks = leakGuard();
        run(c, { rows: 1 });
        leaks.check(def.id);
      });

      check(kit, 'determinism', 'two instances with the same seed give identical advantages', () => {
        expect(run(c)).toEqual(run(c));
      });
    });
  }
}

/**
 * The behavioural kit of kind `advantage`: `[B, T]` finite advantages, 0 off the loss mask; pad rows,
 * time padding and untrained-position inputs change nothing; inputs are not mutated; no leaks;
 * determinism under a seed; metric keys. The inputs a plugin `requires` are supplied (seeded).
 */
export function runAdvantageKit(def: AnyPluginDefinition, kit: AdvantageKitOptions = {}): void {
  describeKit(def, 'advantage', kit, () => advantageChecks(def, kit, (i, input) => (i as AdvantageEstimator).compute(input), false));
}

/** The behavioural kit of kind `advantageTransform`: the advantage invariants, with seeded input advantages. */
export function runAdvantageTransformKit(def: AnyPluginDefinition, kit: AdvantageKitOptions = {}): void {
  describeKit(def, 'advantageTransform', kit, () =>
    advantageChecks(def, kit, (i, input) => (i as AdvantageTransform).transform(input as AdvantageInput & { advantages: tf.Tensor2D }), true),
  );
}
