import * as tf from '@tensorflow/tfjs-core';
import { parseOptions, Rng, type AnyPluginDefinition, type ReferenceSchedule } from '@tirl/core';
import { expectClose, runReferenceScheduleKit, testPluginContext } from '@tirl/core/testing';
import { nesterovReference, randomPastCheckpoint } from '../src';

runReferenceScheduleKit(nesterovReference, { settings: { steps: 3 }, invalid: [{ options: { alpha: 1 }, field: 'alpha' }, { options: { every: 0 }, field: 'every' }] });
runReferenceScheduleKit(randomPastCheckpoint, { valid: { interval: 2, keep: 2 }, invalid: [{ options: { mode: 'oldest' }, field: 'mode' }] });

/** Runs `steps` steps in which training moves every policy weight by +0.1; returns [policy, reference] of weight "w" after each step. */
function drive(def: AnyPluginDefinition, options: Record<string, unknown>, settings: Record<string, unknown>, steps: number): [number, number][] {
  const schedule = def.create(parseOptions(def.id, def.options, options), testPluginContext(def.id, settings)) as ReferenceSchedule;
  const policy = new Map([['w', tf.variable(tf.scalar(0))]]);
  const reference = new Map([['w', tf.variable(tf.scalar(0))]]);
  const rng = new Rng(0);
  const seen: [number, number][] = [];
  for (let step = 0; step < steps; step++) {
    schedule.beforeStep?.({ step, policy, reference, rng });
    policy.get('w')!.assign(tf.add(policy.get('w')!, 0.1));
    schedule.afterStep?.({ step: step + 1, policy, reference, rng });
    seen.push([policy.get('w')!.dataSync()[0], reference.get('w')!.dataSync()[0]]);
  }
  schedule.dispose?.();
  tf.dispose([...policy.values(), ...reference.values()]);
  return seen;
}

describe('referenceSchedule/nesterov (APO, α = 0.3, one step per round, 3 steps)', () => {
  it('extrapolates between proximal iterates and leaves the last round unextrapolated', () => {
    // θ̂_0 = 0. Round 1: θ̂_1 = 0.1 → θ_1 = 0.1 + 0.3·(0.1 − 0) = 0.13 (policy and reference).
    // Round 2: θ̂_2 = 0.13 + 0.1 = 0.23 → θ_2 = 0.23 + 0.3·(0.23 − 0.1) = 0.269.
    // Round 3 (the last): θ̂_3 = 0.369 is the output; the reference follows it, nothing is extrapolated.
    expectClose(drive(nesterovReference, { alpha: 0.3 }, { steps: 3 }, 3), [[0.13, 0.13], [0.269, 0.269], [0.369, 0.369]], 1e-6);
  });

  it('α = 0 is iterative DPO: the reference follows the policy every round', () => {
    expectClose(drive(nesterovReference, { alpha: 0, every: 2 }, { steps: 4 }, 4), [[0.1, 0], [0.2, 0.2], [0.3, 0.2], [0.4, 0.4]], 1e-6);
  });
});

describe('referenceSchedule/random-past-checkpoint (SePPO)', () => {
  it('latest: saves every 2 steps; the reference is the newest save', () => {
    // Saves at steps 0 (w = 0), 2 (w = 0.2), 4 (w = 0.4); the reference during step s is the newest save at or before s.
    expectClose(drive(randomPastCheckpoint, { interval: 2, keep: 2, mode: 'latest' }, {}, 5).map(([, r]) => r), [0, 0, 0.2, 0.2, 0.4], 1e-6);
  });

  it('initial with keep = 2: the first save is dropped once a third is made', () => {
    expectClose(drive(randomPastCheckpoint, { interval: 2, keep: 2, mode: 'initial' }, {}, 5).map(([, r]) => r), [0, 0, 0, 0, 0.2], 1e-6);
  });

  it('random: every reference is one of the saves', () => {
    const refs = drive(randomPastCheckpoint, { interval: 1, keep: 10, mode: 'random' }, {}, 8).map(([, r]) => r);
    refs.forEach((r, s) => expect(Math.abs(Math.round(r * 10) - r * 10) < 1e-4 && r <= s * 0.1 + 1e-6).toBe(true));
    expect(new Set(refs.map((r) => r.toFixed(3))).size).toBeGreaterThan(1);
  });
});
