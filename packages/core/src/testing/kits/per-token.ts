import * as tf from '@tensorflow/tfjs-core';
import type { ObjectiveInput, ObjectiveOutput } from '../../kinds/algorithm';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { expectClose } from '../numbers';
import { check, requireGradients, expectFinite, expectMetricKeys, instantiate, type KitOptions } from './common';
import {
  addPadRow,
  defaultTensorCases,
  disposeObjectiveInput,
  microBatchSplits,
  objectiveInputOf,
  padTime,
  perturbMasked,
  plainMetrics,
  type TensorCase,
} from './tensor-cases';

export interface PerTokenKitOptions extends KitOptions {
  /** Loss-side cases (default: two seeded cases over a root, its child, a second root and a pad row). */
  cases?: TensorCase[];
}

type PerToken = (instance: unknown, input: ObjectiveInput) => ObjectiveOutput;

interface Result {
  perToken: number[][];
  metrics: Record<string, number>;
}

/** Runs one case on a fresh instance; returns plain numbers and disposes everything it made. */
function runCase(def: AnyPluginDefinition, kit: PerTokenKitOptions, perToken: PerToken, c: TensorCase, rows?: number[], fullCase?: TensorCase): Result {
  const instance = instantiate(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
  let counts;
  if (rows && fullCase) {
    const whole = objectiveInputOf(fullCase);
    counts = whole.counts;
    disposeObjectiveInput(whole);
  }
  const input = objectiveInputOf(c, rows, counts);
  try {
    const out = perToken(instance, input);
    const result = { perToken: out.perToken.arraySync() as number[][], metrics: plainMetrics(out.metrics) };
    out.perToken.dispose();
    return result;
  } finally {
    disposeObjectiveInput(input);
  }
}

/** `[B, T]` values on trained positions; 0 elsewhere (what an aggregation reads). */
function trained(c: TensorCase, values: number[][]): number[][] {
  return values.map((row, b) => row.map((v, t) => (c.lossMask[b][t] === 1 ? v : 0)));
}

/**
 * Invariants of a per-token loss (objectives and loss regularizers): shape and finite values, masking
 * invariance, micro-batch and padding invariance, finite gradients that vanish off the mask, no leaks,
 * determinism under a seed, metric keys.
 */
export function perTokenChecks(def: AnyPluginDefinition, kit: PerTokenKitOptions, perToken: PerToken): void {
  const cases = kit.cases ?? defaultTensorCases(kit.seed ?? 0);
  const tol = kit.tol ?? 1e-5;
  for (const c of cases) {
    const label = c.name ?? 'case';
    describe(label, () => {
      check(kit, 'shape', 'perToken is [B, T] and finite on trained positions; metrics are finite numbers', () => {
        const { perToken: values, metrics } = runCase(def, kit, perToken, c);
        expect([values.length, values[0]?.length]).toEqual([c.lossMask.length, c.lossMask[0].length]);
        expectFinite(`${def.id} perToken`, values.flat(), (i) => c.lossMask.flat()[i] === 1);
        for (const [k, v] of Object.entries(metrics)) expect([k, Number.isFinite(v)]).toEqual([k, true]);
      });

      check(kit, 'metric-keys', 'metric keys are <kind>/<name>/<metric>', () => {
        expectMetricKeys(def, Object.keys(runCase(def, kit, perToken, c).metrics));
      });

      check(kit, 'masking', 'values at untrained positions do not change trained results or metrics', () => {
        const base = runCase(def, kit, perToken, c);
        const moved = runCase(def, kit, perToken, perturbMasked(c));
        expectClose(trained(c, moved.perToken), trained(c, base.perToken), tol);
        expectClose(moved.metrics, base.metrics, tol);
      });

      check(kit, 'micro-batch', 'micro-batches with global counts give the same per-token losses', () => {
        const full = trained(c, runCase(def, kit, perToken, c).perToken);
        for (const split of microBatchSplits(c)) {
          const pieces: number[][] = new Array(c.lossMask.length);
          for (const rows of split) runCase(def, kit, perToken, c, rows, c).perToken.forEach((row, i) => (pieces[rows[i]] = row));
          expectClose(trained(c, pieces), full, tol);
        }
      });

      check(kit, 'padding', 'an extra pad row or extra time steps change nothing', () => {
        const base = trained(c, runCase(def, kit, perToken, c).perToken);
        const wide = runCase(def, kit, perToken, padTime(c, 3)).perToken.map((row) => row.slice(0, c.lossMask[0].length));
        expectClose(trained(c, wide), base, tol);
        const tall = runCase(def, kit, perToken, addPadRow(c)).perToken.slice(0, c.lossMask.length);
        expectClose(trained(c, tall), base, tol);
      });

      check(kit, 'gradients', 'gradients w.r.t. logProbs (and entropies) are finite and 0 off the mask', () => {
        requireGradients(def.id);
        for (const variant of [c, perturbMasked(c)]) {
          const instance = instantiate(def, { ...(kit.valid ?? {}), ...(variant.options ?? {}) }, kit);
          const mask = variant.lossMask.flat();
          let connected = 0;
          for (const wrt of ['logProbs', 'entropies'] as const) {
            const input = objectiveInputOf(variant);
            const x = input[wrt];
            let g: Float32Array | undefined;
            if (x) {
              try {
                const grad = tf.grad((v: tf.Tensor) => {
                  const out = perToken(instance, { ...input, [wrt]: v as tf.Tensor2D });
                  // Metric scalars made here are disposed with the rest of tf.grad's scope.
                  return tf.sum(tf.where(tf.cast(input.lossMask, 'bool'), out.perToken, tf.zerosLike(out.perToken)));
                })(x);
                g = grad.dataSync() as Float32Array;
                grad.dispose();
              } catch (e) {
                if (!(e instanceof Error && /Cannot compute gradient/.test(e.message))) throw e;
              }
            }
            disposeObjectiveInput(input);
            if (!g) continue;
            connected++;
            expectFinite(`${def.id} gradient w.r.t. ${wrt}`, g);
            g.forEach((v, i) => {
              if (mask[i] === 0 && v !== 0) throw new Error(`${def.id}: gradient w.r.t. ${wrt} is ${v} at untrained flat index ${i}`);
            });
          }
          if (connected === 0) throw new Error(`${def.id}: the loss depends on neither logProbs nor entropies, so it cannot train anything`);
        }
      });

      check(kit, 'leaks', 'creating, computing and disposing the outputs leaves no tensor behind', () => {
        const input = objectiveInputOf(c);
        const before = tf.memory().numTensors;
        const instance = instantiate(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
        const out = perToken(instance, input);
        out.perToken.dispose();
        plainMetrics(out.metrics);
        const after = tf.memory().numTensors;
        disposeObjectiveInput(input);
        if (after !== before) throw new Error(`${def.id} leaked ${after - before} tensor(s)`);
      });

      check(kit, 'determinism', 'two instances with the same seed give identical results', () => {
        expect(runCase(def, kit, perToken, c)).toEqual(runCase(def, kit, perToken, c));
      });
    });
  }
}

