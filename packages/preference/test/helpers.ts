import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, parseOptions, type AnyPluginDefinition, type PreferenceLoss, type PreferenceSide } from '@tirl/core';
import { testPluginContext } from '@tirl/core/testing';

export interface SideNumbers {
  logProbs: number[][];
  lossMask: number[][];
  refLogProbs?: number[][];
  guidance?: number[][];
}

function side(s: SideNumbers): PreferenceSide {
  return {
    logProbs: tf.tensor2d(s.logProbs),
    lossMask: tf.tensor2d(s.lossMask),
    ...(s.refLogProbs ? { refLogProbs: tf.tensor2d(s.refLogProbs) } : {}),
    ...(s.guidance ? { guidance: tf.tensor2d(s.guidance) } : {}),
  };
}

/** Per-pair losses and the gradients of their sum w.r.t. each side's log-probs, as plain numbers. */
export function lossAndGradients(
  def: AnyPluginDefinition,
  options: Record<string, unknown>,
  chosen: SideNumbers,
  rejected: SideNumbers,
): { losses: number[]; gradChosen: number[][]; gradRejected: number[][]; metrics: Record<string, number> } {
  ensureGradients();
  const instance = def.create(parseOptions(def.id, def.options, options), testPluginContext(def.id)) as PreferenceLoss;
  const c = side(chosen);
  const r = side(rejected);
  const pairs = chosen.logProbs.map((_, i) => ({ id: `p${i}`, sampleId: `s${i}`, promptIds: [1], chosenIds: [2], rejectedIds: [3] }));
  const out = instance.perPair({ chosen: c, rejected: r, pairs });
  const losses = Array.from(out.perPair.dataSync());
  const metrics = Object.fromEntries(Object.entries(out.metrics ?? {}).map(([k, v]) => [k, typeof v === 'number' ? v : v.dataSync()[0]]));
  const [gc, gr] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(instance.perPair({ chosen: { ...c, logProbs: a as tf.Tensor2D }, rejected: { ...r, logProbs: b as tf.Tensor2D }, pairs }).perPair),
  )([c.logProbs, r.logProbs]);
  const result = { losses, gradChosen: gc.arraySync() as number[][], gradRejected: gr.arraySync() as number[][], metrics };
  tf.dispose([gc, gr, out.perPair, ...Object.values(c), ...Object.values(r)]);
  return result;
}
