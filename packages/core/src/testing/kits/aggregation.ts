import * as tf from '@tensorflow/tfjs-core';
import type { AggregationInput, LossAggregation } from '../../kinds/algorithm';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { expectClose } from '../numbers';
import { check, requireGradients, describeKit, expectFinite, instantiate, type KitOptions } from './common';
import {
  addPadRow,
  defaultTensorCases,
  disposeObjectiveInput,
  microBatchSplits,
  objectiveInputOf,
  padTime,
  perturbMasked,
  type TensorCase,
} from './tensor-cases';

export interface AggregationKitOptions extends KitOptions {
  /** Cases whose `perToken` (default `logProbs`) is aggregated; default: two seeded cases with a child row and a pad row. */
  cases?: TensorCase[];
}

function aggregationInput(c: TensorCase, rows?: number[]): { input: AggregationInput; dispose(): void } {
  const whole = objectiveInputOf(c);
  const part = rows ? objectiveInputOf(c, rows, whole.counts) : whole;
  const table = c.perToken ?? c.logProbs;
  const perToken = tf.tensor2d(rows ? rows.map((r) => table[r]) : table);
  return {
    input: { perToken, lossMask: part.lossMask, counts: part.counts, batch: part.batch },
    dispose: () => {
      perToken.dispose();
      disposeObjectiveInput(whole);
      if (part !== whole) disposeObjectiveInput(part);
    },
  };
}

function aggregate(def: AnyPluginDefinition, kit: AggregationKitOptions, c: TensorCase, rows?: number[]): number {
  const instance = instantiate<LossAggregation>(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
  const { input, dispose } = aggregationInput(c, rows);
  try {
    const out = instance.aggregate(input);
    expect(out.shape).toEqual([]);
    const value = out.dataSync()[0];
    out.dispose();
    return value;
  } finally {
    dispose();
  }
}

/**
 * The behavioural kit of kind `aggregation`: a finite scalar; untrained positions ignored; the sum over
 * micro-batches (with the whole mini-batch's counts) equals the whole; pad rows and time padding change
 * nothing; finite gradients that vanish off the mask; no leaks; determinism.
 */
export function runAggregationKit(def: AnyPluginDefinition, kit: AggregationKitOptions = {}): void {
  const cases = kit.cases ?? defaultTensorCases(kit.seed ?? 0);
  const tol = kit.tol ?? 1e-5;
  describeKit(def, 'aggregation', kit, () => {
    for (const c of cases) {
      describe(c.name ?? 'case', () => {
        check(kit, 'shape', 'returns a finite scalar', () => {
          expectFinite(def.id, [aggregate(def, kit, c)]);
        });

        check(kit, 'masking', 'values at untrained positions do not change the loss', () => {
          expectClose(aggregate(def, kit, perturbMasked(c)), aggregate(def, kit, c), tol);
        });

        check(kit, 'micro-batch', 'the micro-batch losses sum to the whole mini-batch loss', () => {
          const whole = aggregate(def, kit, c);
          for (const split of microBatchSplits(c)) {
            const sum = split.reduce((s, rows) => s + aggregate(def, kit, c, rows), 0);
            expectClose(sum, whole, tol * Math.max(1, Math.abs(whole)));
          }
        });

        check(kit, 'padding', 'an extra pad row or extra time steps change nothing', () => {
          const whole = aggregate(def, kit, c);
          expectClose(aggregate(def, kit, padTime(c, 3)), whole, tol);
          expectClose(aggregate(def, kit, addPadRow(c)), whole, tol);
        });

        check(kit, 'gradients', 'gradients w.r.t. the per-token loss are finite and 0 off the mask', () => {
          requireGradients(def.id);
          const instance = instantiate<LossAggregation>(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
          const { input, dispose } = aggregationInput(perturbMasked(c));
          const grad = tf.grad((x: tf.Tensor) => instance.aggregate({ ...input, perToken: x as tf.Tensor2D }))(input.perToken);
          const g = grad.dataSync();
          grad.dispose();
          dispose();
          expectFinite(`${def.id} gradient`, g);
          const mask = c.lossMask.flat();
          g.forEach((v, i) => {
            if (mask[i] === 0 && v !== 0) throw new Error(`${def.id}: gradient ${v} at untrained flat index ${i}`);
          });
        });

        check(kit, 'leaks', 'aggregating and disposing the scalar leaves no tensor behind', () => {
          const { input, dispose } = aggregationInput(c);
          const before = tf.memory().numTensors;
          instantiate<LossAggregation>(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit).aggregate(input).dispose();
          const after = tf.memory().numTensors;
          dispose();
          if (after !== before) throw new Error(`${def.id} leaked ${after - before} tensor(s)`);
        });

        check(kit, 'determinism', 'two instances give the identical loss', () => {
          expect(aggregate(def, kit, c)).toBe(aggregate(def, kit, c));
        });
      });
    }
  });
}
