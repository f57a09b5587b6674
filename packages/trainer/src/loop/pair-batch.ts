import * as tf from '@tensorflow/tfjs-core';
import type { PreferencePair, PreferenceSide } from '@tirl/core';

/**
 * A batch of P preference pairs as one `[2P, T]` forward pass: rows 0..P−1 are prompt + chosen, rows
 * P..2P−1 prompt + rejected, right-padded. The loss mask is 1 on trained response tokens; guidance sits
 * at the response positions (0 elsewhere).
 */
export interface PairBatch {
  ids: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  lossMask: tf.Tensor2D;
  /** `[2P, T]` guidance, when any pair carries some. */
  guidance?: tf.Tensor2D;
  pairs: readonly PreferencePair[];
  dispose(): void;
}

export function buildPairBatch(pairs: readonly PreferencePair[], padTokenId: number): PairBatch {
  const rows = [
    ...pairs.map((p) => ({ prompt: p.promptIds, response: p.chosenIds, mask: p.chosenMask, guidance: p.chosenGuidance })),
    ...pairs.map((p) => ({ prompt: p.promptIds, response: p.rejectedIds, mask: p.rejectedMask, guidance: p.rejectedGuidance })),
  ];
  const T = Math.max(1, ...rows.map((r) => r.prompt.length + r.response.length));
  const hasGuidance = rows.some((r) => r.guidance);
  const ids: number[][] = [];
  const attention: number[][] = [];
  const loss: number[][] = [];
  const guidance: number[][] = [];
  for (const r of rows) {
    const n = r.prompt.length + r.response.length;
    const pad = T - n;
    ids.push([...r.prompt, ...r.response, ...Array<number>(pad).fill(padTokenId)]);
    attention.push([...Array<number>(n).fill(1), ...Array<number>(pad).fill(0)]);
    loss.push([...Array<number>(r.prompt.length).fill(0), ...r.response.map((_, i) => (r.mask ? r.mask[i] : 1)), ...Array<number>(pad).fill(0)]);
    guidance.push([...Array<number>(r.prompt.length).fill(0), ...r.response.map((_, i) => r.guidance?.[i] ?? 0), ...Array<number>(pad).fill(0)]);
  }
  const out: PairBatch = {
    ids: tf.tensor2d(ids, [rows.length, T], 'int32'),
    attentionMask: tf.tensor2d(attention, [rows.length, T]),
    lossMask: tf.tensor2d(loss, [rows.length, T]),
    ...(hasGuidance ? { guidance: tf.tensor2d(guidance, [rows.length, T]) } : {}),
    pairs,
    dispose: () => tf.dispose([out.ids, out.attentionMask, out.lossMask, ...(out.guidance ? [out.guidance] : [])]),
  };
  return out;
}

/** The chosen rows and the rejected rows of a pair batch's `[2P, T]` tensors, as the two sides of a preference loss. */
export function sidesOf(batch: PairBatch, logProbs: tf.Tensor2D, refLogProbs?: tf.Tensor2D): { chosen: PreferenceSide; rejected: PreferenceSide } {
  const P = batch.pairs.length;
  const T = batch.ids.shape[1];
  const take = (t: tf.Tensor2D, offset: number) => tf.slice(t, [offset, 0], [P, T]) as tf.Tensor2D;
  const side = (offset: number): PreferenceSide => ({
    logProbs: take(logProbs, offset),
    lossMask: take(batch.lossMask, offset),
    ...(refLogProbs ? { refLogProbs: take(refLogProbs, offset) } : {}),
    ...(batch.guidance ? { guidance: take(batch.guidance, offset) } : {}),
  });
  return { chosen: side(0), rejected: side(P) };
}
