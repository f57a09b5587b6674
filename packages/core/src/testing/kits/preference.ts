import * as tf from '@tensorflow/tfjs-core';
import type { PreferenceInput, PreferenceLoss, PreferenceSide } from '../../kinds/preference';
import type { PreferencePair } from '../../data/preference';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { ensureGradients } from '../../tensor/gradients';
import { Rng } from '../../random/rng';
import { expectClose } from '../numbers';
import { leakGuard } from '../leaks';
import { check, clonePlain, describeKit, expectFinite, expectMetricKeys, instantiate, type KitOptions } from './common';

/** Plain numbers of one side of a preference case: `[P][T]` each. */
export interface PreferenceCaseSide {
  logProbs: number[][];
  lossMask: number[][];
  refLogProbs?: number[][];
  guidance?: number[][];
}

export interface PreferenceCase {
  name?: string;
  chosen: PreferenceCaseSide;
  rejected: PreferenceCaseSide;
}

export interface PreferenceKitOptions extends KitOptions {
  cases?: PreferenceCase[];
}

/** Three pairs, four positions: a prompt position (mask 0), responses of different lengths, padding. */
export function defaultPreferenceCases(seed = 0): PreferenceCase[] {
  const rng = new Rng(seed);
  const side = (mask: number[][]): PreferenceCaseSide => {
    const r = () => mask.map((row) => row.map(() => -0.2 - 2 * rng.next()));
    return { logProbs: r(), lossMask: mask, refLogProbs: r(), guidance: mask.map((row) => row.map(() => rng.next() - 0.5)) };
  };
  return [
    {
      name: 'three pairs',
      chosen: side([[0, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 0]]),
      rejected: side([[0, 1, 0, 0], [0, 1, 1, 0], [0, 1, 1, 1]]),
    },
  ];
}

function pairsOf(c: PreferenceCase): PreferencePair[] {
  return c.chosen.logProbs.map((_, i) => ({ id: `p${i}`, sampleId: `s${i}`, promptIds: [1], chosenIds: [2], rejectedIds: [3] }));
}

function sideTensors(s: PreferenceCaseSide): PreferenceSide {
  return {
    logProbs: tf.tensor2d(s.logProbs),
    lossMask: tf.tensor2d(s.lossMask),
    ...(s.refLogProbs ? { refLogProbs: tf.tensor2d(s.refLogProbs) } : {}),
    ...(s.guidance ? { guidance: tf.tensor2d(s.guidance) } : {}),
  };
}

function inputOf(c: PreferenceCase): PreferenceInput {
  return { chosen: sideTensors(c.chosen), rejected: sideTensors(c.rejected), pairs: pairsOf(c) };
}

function disposeInput(input: PreferenceInput): void {
  for (const s of [input.chosen, input.rejected]) tf.dispose([s.logProbs, s.lossMask, ...(s.refLogProbs ? [s.refLogProbs] : []), ...(s.guidance ? [s.guidance] : [])]);
}

function lossesOf(def: AnyPluginDefinition, kit: PreferenceKitOptions, c: PreferenceCase): { losses: number[]; metrics: string[] } {
  const instance = instantiate<PreferenceLoss>(def, kit.valid ?? {}, kit);
  const input = inputOf(c);
  try {
    const out = instance.perPair(input);
    const losses = Array.from(out.perPair.dataSync());
    out.perPair.dispose();
    const metrics = Object.keys(out.metrics ?? {});
    for (const v of Object.values(out.metrics ?? {})) if (typeof v !== 'number') v.dispose();
    return { losses, metrics };
  } finally {
    disposeInput(input);
  }
}

/** A copy of the case with every untrained position changed (and, with `ref`, its reference and guidance too). */
function perturbUntrained(c: PreferenceCase): PreferenceCase {
  const bump = (values: number[][] | undefined, mask: number[][]) => values?.map((row, i) => row.map((v, t) => (mask[i][t] ? v : v - 3.7)));
  const side = (s: PreferenceCaseSide): PreferenceCaseSide => ({
    logProbs: bump(s.logProbs, s.lossMask)!,
    lossMask: s.lossMask,
    ...(s.refLogProbs ? { refLogProbs: bump(s.refLogProbs, s.lossMask) } : {}),
    ...(s.guidance ? { guidance: bump(s.guidance, s.lossMask) } : {}),
  });
  return { name: c.name, chosen: side(c.chosen), rejected: side(c.rejected) };
}

function padded(c: PreferenceCase): PreferenceCase {
  const pad = (values: number[][] | undefined, v: number) => values?.map((row) => [...row, v, v]);
  const side = (s: PreferenceCaseSide): PreferenceCaseSide => ({
    logProbs: pad(s.logProbs, -9)!,
    lossMask: pad(s.lossMask, 0)!,
    ...(s.refLogProbs ? { refLogProbs: pad(s.refLogProbs, -7) } : {}),
    ...(s.guidance ? { guidance: pad(s.guidance, 4) } : {}),
  });
  return { name: c.name, chosen: side(c.chosen), rejected: side(c.rejected) };
}

function onlyPair(c: PreferenceCase, i: number): PreferenceCase {
  const side = (s: PreferenceCaseSide): PreferenceCaseSide => ({
    logProbs: [s.logProbs[i]],
    lossMask: [s.lossMask[i]],
    ...(s.refLogProbs ? { refLogProbs: [s.refLogProbs[i]] } : {}),
    ...(s.guidance ? { guidance: [s.guidance[i]] } : {}),
  });
  return { chosen: side(c.chosen), rejected: side(c.rejected) };
}

/**
 * The behavioural kit of kind `preference`: per-pair losses `[P]`, finite; blind to untrained positions
 * and to padding; each pair's loss independent of the other pairs (so mini-batches can cut anywhere);
 * finite gradients w.r.t. both sides' log-probs that vanish off the loss mask; no tensor leaks;
 * deterministic; metric keys `preference/<name>/<metric>`.
 */
export function runPreferenceKit(def: AnyPluginDefinition, kit: PreferenceKitOptions = {}): void {
  const tol = kit.tol ?? 1e-5;
  describeKit(def, 'preference', kit, () => {
    for (const c of kit.cases ?? defaultPreferenceCases(kit.seed ?? 0)) {
      describe(c.name ?? 'case', () => {
        check(kit, 'shape', 'one finite loss per pair', () => {
          const { losses } = lossesOf(def, kit, c);
          expect(losses).toHaveLength(c.chosen.logProbs.length);
          expectFinite(def.id, losses);
        });
        check(kit, 'masking', 'values at untrained positions do not change the losses', () => {
          expectClose(lossesOf(def, kit, perturbUntrained(c)).losses, lossesOf(def, kit, c).losses, tol);
        });
        check(kit, 'padding', 'padding columns do not change the losses', () => {
          expectClose(lossesOf(def, kit, padded(c)).losses, lossesOf(def, kit, c).losses, tol);
        });
        check(kit, 'micro-batch', "each pair's loss is the same computed alone", () => {
          const all = lossesOf(def, kit, c).losses;
          expectClose(all.map((_, i) => lossesOf(def, kit, onlyPair(c, i)).losses[0]), all, tol);
        });
        check(kit, 'gradients', 'gradients w.r.t. both sides are finite and 0 off the loss mask', () => {
          ensureGradients();
          const instance = instantiate<PreferenceLoss>(def, kit.valid ?? {}, kit);
          const input = inputOf(c);
          try {
            const grads = tf.grads((wc: tf.Tensor, wr: tf.Tensor) => {
              const out = instance.perPair({ ...input, chosen: { ...input.chosen, logProbs: wc as tf.Tensor2D }, rejected: { ...input.rejected, logProbs: wr as tf.Tensor2D } });
              for (const v of Object.values(out.metrics ?? {})) if (typeof v !== 'number') v.dispose();
              return tf.sum(out.perPair);
            })([input.chosen.logProbs, input.rejected.logProbs]);
            [c.chosen, c.rejected].forEach((side, k) => {
              const g = grads[k].dataSync();
              expectFinite(`${def.id} gradient`, g);
              side.lossMask.flat().forEach((m, i) => {
                if (!m && g[i] !== 0) throw new Error(`${def.id}: gradient ${g[i]} at untrained flat index ${i} of the ${k ? 'rejected' : 'chosen'} side`);
              });
            });
            tf.dispose(grads);
          } finally {
            disposeInput(input);
          }
        });
        check(kit, 'leaks', 'computing and disposing the losses leaves no tensor behind', () => {
          const leaks = leakGuard();
          lossesOf(def, kit, c);
          leaks.check(def.id);
        });
        check(kit, 'determinism', 'two instances give identical losses', () => {
          expect(lossesOf(def, kit, c).losses).toEqual(lossesOf(def, kit, c).losses);
        });
        check(kit, 'mutation', 'the case numbers are not modified', () => {
          const copy = clonePlain(c);
          lossesOf(def, kit, c);
          expect(c).toEqual(copy);
        });
        check(kit, 'metric-keys', 'metric keys are preference/<name>/<snake_case>', () => {
          expectMetricKeys(def, lossesOf(def, kit, c).metrics);
        });
      });
    }
  });
}
