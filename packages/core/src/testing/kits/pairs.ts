import * as tf from '@tensorflow/tfjs-core';
import type { PairSource, PairSourceInput, ReferenceSchedule } from '../../kinds/preference';
import type { Sample } from '../../kinds/tool';
import type { RolloutTree } from '../../data/tree';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { Rng } from '../../random/rng';
import { ByteTokenizer } from '../../tokenizer/byte';
import { leakGuard } from '../leaks';
import { check, clonePlain, deepFreeze, describeKit, expectMetricKeys, instantiate, probe, type KitOptions } from './common';

export interface PairsKitOptions extends KitOptions {
  /** Samples of the step (default: three samples with a `preference`). */
  samples?: Sample[];
  /** Scored rollout trees, for a miner (`fromRollouts`); a miner's test must give trees that yield pairs. */
  trees?: RolloutTree[];
}

export function defaultPreferenceSamples(): Sample[] {
  return Array.from({ length: 3 }, (_, i) => ({
    id: `s${i}`,
    messages: [{ role: 'user', content: `question ${i}` }],
    preference: { chosen: `right ${i}`, rejected: `wrong answer ${i}` },
  }));
}

function inputOf(kit: PairsKitOptions): PairSourceInput {
  return deepFreeze({
    samples: kit.samples ?? defaultPreferenceSamples(),
    ...(kit.trees ? { trees: kit.trees } : {}),
    step: 0,
    tokenizer: new ByteTokenizer(),
    rng: new Rng(kit.seed ?? 0),
  }) as PairSourceInput;
}

/**
 * The behavioural kit of kind `pairs`: at least one pair from the given input, each with non-empty
 * prompt and responses, two different responses, masks and guidance as long as their response;
 * deterministic under a seed; the input is not modified; metric keys `pairs/<name>/<metric>`.
 */
export function runPairsKit(def: AnyPluginDefinition, kit: PairsKitOptions = {}): void {
  const make = () => instantiate<PairSource>(def, kit.valid ?? {}, kit);
  // Each call gets its own rng (fresh input), so determinism compares like with like.
  const run = () => make().pairs({ ...inputOf(kit), rng: new Rng(kit.seed ?? 0) });
  describeKit(def, 'pairs', kit, () => {
    if (probe<PairSource>(def, kit.valid ?? {}, kit).fromRollouts && !kit.trees) {
      it('is given trees to mine', () => {
        throw new Error(`${def.id} mines rollouts: pass kit.trees with scored trees that yield pairs`);
      });
      return;
    }
    check(kit, 'shape', 'well-formed pairs: non-empty prompt and responses that differ, aligned masks and guidance', () => {
      const { pairs } = run();
      expect(pairs.length).toBeGreaterThan(0);
      for (const p of pairs) {
        expect([p.id, p.promptIds.length > 0, p.chosenIds.length > 0, p.rejectedIds.length > 0]).toEqual([p.id, true, true, true]);
        expect(p.chosenIds).not.toEqual(p.rejectedIds);
        for (const [field, values, ids] of [
          ['chosenMask', p.chosenMask, p.chosenIds],
          ['rejectedMask', p.rejectedMask, p.rejectedIds],
          ['chosenGuidance', p.chosenGuidance, p.chosenIds],
          ['rejectedGuidance', p.rejectedGuidance, p.rejectedIds],
        ] as const) {
          if (values && values.length !== ids.length) throw new Error(`${def.id}: pair ${p.id} has ${field} of length ${values.length} for ${ids.length} tokens`);
        }
        if (p.chosenMask && !p.chosenMask.some(Boolean)) throw new Error(`${def.id}: pair ${p.id} trains no chosen token`);
        if (p.rejectedMask && !p.rejectedMask.some(Boolean)) throw new Error(`${def.id}: pair ${p.id} trains no rejected token`);
      }
    });
    check(kit, 'determinism', 'two instances with the same seed give the same pairs', () => {
      expect(run()).toEqual(run());
    });
    check(kit, 'mutation', 'the input (deep-frozen) is not modified', () => {
      const input = inputOf(kit);
      const copy = clonePlain({ samples: input.samples, trees: input.trees });
      make().pairs(input);
      expect({ samples: input.samples, trees: input.trees }).toEqual(copy);
    });
    check(kit, 'metric-keys', 'metric keys are pairs/<name>/<snake_case>', () => {
      expectMetricKeys(def, Object.keys(run().metrics ?? {}));
    });
    check(kit, 'determinism', 'a phase schedule, when it has one, names a known phase per step and depends on the step alone', () => {
      const a = make();
      if (!a.phase) return;
      const b = make();
      const steps = Array.from({ length: 24 }, (_, s) => s);
      const phases = steps.map((s) => a.phase!(s));
      for (const p of phases) expect(['preference', 'policy-gradient']).toContain(p);
      a.pairs({ ...inputOf(kit), rng: new Rng(kit.seed ?? 0) });
      expect(steps.map((s) => a.phase!(s))).toEqual(phases);
      expect([...steps].reverse().map((s) => b.phase!(s)).reverse()).toEqual(phases);
    });
  });
}

export type ReferenceScheduleKitOptions = KitOptions;

function weights(values: Record<string, number[]>): Map<string, tf.Variable> {
  return new Map(
    Object.entries(values).map(([k, v]) => {
      const initial = tf.tensor1d(v);
      const variable = tf.variable(initial);
      initial.dispose();
      return [k, variable];
    }),
  );
}

function read(m: ReadonlyMap<string, tf.Variable>): Record<string, number[]> {
  return Object.fromEntries([...m].map(([k, v]) => [k, Array.from(v.dataSync())]));
}

/** Runs `steps` steps of a schedule while the policy moves by +0.1 per step; returns the weights seen after each. */
function drive(schedule: ReferenceSchedule, steps: number, seed: number): { policy: Record<string, number[]>; reference: Record<string, number[]> }[] {
  const policy = weights({ a: [0, 1], b: [2] });
  const reference = weights({ a: [0, 1], b: [2] });
  const rng = new Rng(seed);
  const out = [];
  try {
    for (let step = 0; step < steps; step++) {
      schedule.beforeStep?.({ step, policy, reference, rng });
      for (const v of policy.values()) {
        const moved = tf.add(v, 0.1);
        v.assign(moved);
        moved.dispose();
      }
      schedule.afterStep?.({ step: step + 1, policy, reference, rng });
      out.push({ policy: read(policy), reference: read(reference) });
    }
    return out;
  } finally {
    tf.dispose([...policy.values(), ...reference.values()]);
  }
}

/**
 * The behavioural kit of kind `referenceSchedule`: it has `beforeStep` or `afterStep`; weights stay
 * finite with their shapes; deterministic under a seed; no tensor leaks once disposed; metric keys
 * `referenceSchedule/<name>/<metric>`.
 */
export function runReferenceScheduleKit(def: AnyPluginDefinition, kit: ReferenceScheduleKitOptions = {}): void {
  const make = () => instantiate<ReferenceSchedule>(def, kit.valid ?? {}, kit);
  describeKit(def, 'referenceSchedule', kit, () => {
    check(kit, 'shape', 'has beforeStep or afterStep; weights stay finite with their shapes', () => {
      const s = make();
      expect(typeof s.beforeStep === 'function' || typeof s.afterStep === 'function').toBe(true);
      for (const seen of drive(s, 5, kit.seed ?? 0)) {
        for (const side of [seen.policy, seen.reference]) {
          expect(side.a).toHaveLength(2);
          expect(side.b).toHaveLength(1);
          expect([...side.a, ...side.b].every(Number.isFinite)).toBe(true);
        }
      }
      s.dispose?.();
    });
    check(kit, 'determinism', 'two instances with the same seed move the weights identically', () => {
      const a = make();
      const b = make();
      expect(drive(a, 5, 1)).toEqual(drive(b, 5, 1));
      a.dispose?.();
      b.dispose?.();
    });
    check(kit, 'leaks', 'a disposed schedule leaves no tensor behind', () => {
      const leaks = leakGuard();
      const s = make();
      drive(s, 5, 0);
      s.dispose?.();
      leaks.check(def.id);
    });
    check(kit, 'metric-keys', 'metric keys are referenceSchedule/<name>/<snake_case>', () => {
      const s = make();
      const policy = weights({ a: [0] });
      const reference = weights({ a: [0] });
      const keys = [
        ...Object.keys(s.beforeStep?.({ step: 0, policy, reference, rng: new Rng(0) }) ?? {}),
        ...Object.keys(s.afterStep?.({ step: 1, policy, reference, rng: new Rng(0) }) ?? {}),
      ];
      tf.dispose([...policy.values(), ...reference.values()]);
      s.dispose?.();
      expectMetricKeys(def, keys);
    });
  });
}
