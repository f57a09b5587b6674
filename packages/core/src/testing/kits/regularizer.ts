import * as tf from '@tensorflow/tfjs-core';
import type { Regularizer } from '../../kinds/algorithm';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { expectClose } from '../numbers';
import { leakGuard } from '../leaks';
import { check, probe, describeKit, expectFinite, instantiate } from './common';
import { perTokenChecks, type PerTokenKitOptions } from './per-token';
import { batchFromMask, defaultTensorCases, perturbMasked, type TensorCase } from './tensor-cases';

export type RegularizerKitOptions = PerTokenKitOptions;

/** `rewardPenalty` of one case as plain numbers; the batch's behaviour log-probs are the case's `oldLogProbs`. */
function penalty(def: AnyPluginDefinition, kit: RegularizerKitOptions, c: TensorCase): number[][] {
  const instance = instantiate<Regularizer>(def, { ...(kit.valid ?? {}), ...(c.options ?? {}) }, kit);
  const batch = batchFromMask(c.lossMask, c.rowKinds, c.rootIds, c.groupIds);
  const zeros = batch.oldLogProbs;
  const withOld = { ...batch, oldLogProbs: tf.tensor2d(c.oldLogProbs) };
  const ref = c.refLogProbs ? tf.tensor2d(c.refLogProbs) : undefined;
  try {
    const out = instance.rewardPenalty!({ batch: withOld, refLogProbs: ref });
    const values = out.arraySync() as number[][];
    out.dispose();
    return values;
  } finally {
    withOld.oldLogProbs.dispose();
    zeros.dispose();
    batch.dispose();
    ref?.dispose();
  }
}

/**
 * The behavioural kit of kind `regularizer`. A loss regularizer (`perToken`) meets the per-token
 * invariants of objectives; a reward penalty (`rewardPenalty`) is `[B, T]`, finite, 0 off the loss
 * mask, blind to untrained positions, leak-free and deterministic.
 */
export function runRegularizerKit(def: AnyPluginDefinition, kit: RegularizerKitOptions = {}): void {
  describeKit(def, 'regularizer', kit, () => {
    const probed = probe<Regularizer>(def, kit.valid ?? {}, kit);
    if (!probed.perToken && !probed.rewardPenalty) {
      it('has perToken or rewardPenalty', () => {
        throw new Error(`${def.id}: a regularizer needs perToken or rewardPenalty`);
      });
      return;
    }
    if (probed.perToken) perTokenChecks(def, kit, (instance, input) => (instance as Regularizer).perToken!(input));
    if (!probed.rewardPenalty) return;
    const tol = kit.tol ?? 1e-5;
    for (const c of kit.cases ?? defaultTensorCases(kit.seed ?? 0)) {
      describe(`${c.name ?? 'case'} (reward penalty)`, () => {
        check(kit, 'shape', 'the penalty is [B, T], finite, and 0 off the loss mask', () => {
          const values = penalty(def, kit, c);
          expect([values.length, values[0]?.length]).toEqual([c.lossMask.length, c.lossMask[0].length]);
          expectFinite(def.id, values.flat());
          values.flat().forEach((v, i) => {
            if (c.lossMask.flat()[i] === 0 && v !== 0) throw new Error(`${def.id}: penalty ${v} at untrained flat index ${i}`);
          });
        });
        check(kit, 'masking', 'values at untrained positions do not change the penalty', () => {
          expectClose(penalty(def, kit, perturbMasked(c)), penalty(def, kit, c), tol);
        });
        check(kit, 'leaks', 'computing and disposing the penalty leaves no tensor behind', () => {
          const leaks = leakGuard();
          penalty(def, kit, c);
          leaks.check(def.id);
        });
        check(kit, 'determinism', 'two instances give identical penalties', () => {
          expect(penalty(def, kit, c)).toEqual(penalty(def, kit, c));
        });
      });
    }
  });
}
