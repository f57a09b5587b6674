import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../ops';
import { TiedGradient } from './embedding';
import { FUSED_KERNELS, hasKernel, runKernel, withGrad } from './names';

export interface LmHeadLogProbsOptions {
  /** Also return each row's entropy (differentiable too). */
  entropy?: boolean;
  /** Vocabulary columns per chunk (default 4096): the largest temporary is `[N, chunk]`. */
  chunk?: number;
  /**
   * The weight is also the embedding matrix: its gradient goes to this hand-off (for the embedding
   * lookup's backward) instead of being an output of this op. Only with the native kernels.
   */
  tied?: TiedGradient;
}

export interface LmHeadLogProbsResult {
  /** `[N]`: log softmax(hidden · weightᵀ)[target]. */
  logProbs: tf.Tensor1D;
  /** `[N]`: entropy of softmax(hidden · weightᵀ), when asked. */
  entropies?: tf.Tensor1D;
}

/**
 * LM head + log-softmax + gather in one op, chunked over the vocabulary: never holds `[N, V]` logits or
 * log-probs, forward or backward (the backward recomputes each chunk's logits). Per row n with
 * z = hidden[n] · weightᵀ: lse = log Σ_v exp z_v, logProb = z[target] - lse, entropy = lse - Σ softmax(z) z.
 * An out-of-range target picks a logit of 0 (as a one-hot gather would).
 * @param hidden `[N, H]` float32; @param weight `[V, H]` (Hugging Face layout); @param targets `[N]` int32.
 */
export function lmHeadLogProbs(hidden: tf.Tensor2D, weight: tf.Tensor2D, targets: tf.Tensor1D, options: LmHeadLogProbsOptions = {}): LmHeadLogProbsResult {
  const chunk = options.chunk ?? 4096;
  if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`lmHeadLogProbs: chunk must be a positive integer, got ${chunk}`);
  if (hidden.shape[1] !== weight.shape[1]) throw new Error(`lmHeadLogProbs: hidden [${hidden.shape}] and weight [${weight.shape}] differ in width`);
  if (targets.shape[0] !== hidden.shape[0] || targets.dtype !== 'int32') {
    throw new Error(`lmHeadLogProbs: targets must be int32 [${hidden.shape[0]}], got ${targets.dtype} [${targets.shape}]`);
  }
  const entropy = options.entropy ?? false;
  if (!hasKernel(FUSED_KERNELS.lmHeadLogProbs) && weight.shape[0] <= chunk) return unchunked(hidden, weight, targets, entropy);
  if (options.tied && TiedGradient.supported()) return tiedHead(hidden, weight, targets, entropy, chunk, options.tied);
  const op = withGrad((h: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
    const [logp, lse, ent] = forward(h as tf.Tensor2D, w as tf.Tensor2D, targets, chunk);
    save([h, w, targets, lse, ent]);
    return {
      value: entropy ? tf.stack([logp, ent], 1) : logp,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sh, sw, st, slse, sent] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const [dLogp, dEnt] = entropy ? tf.unstack(dy, 1) as tf.Tensor1D[] : [dy as tf.Tensor1D, undefined];
        return backward(sh, sw, st, slse, sent, dLogp, dEnt, chunk);
      },
    };
  });
  const out = op(hidden, weight);
  if (!entropy) return { logProbs: out as tf.Tensor1D };
  const [logProbs, entropies] = tf.unstack(out, 1) as tf.Tensor1D[];
  out.dispose();
  return { logProbs, entropies };
}

/** As `lmHeadLogProbs`, differentiable in `hidden` only: the weight's gradient is `put` into `tied`. */
function tiedHead(hidden: tf.Tensor2D, weight: tf.Tensor2D, targets: tf.Tensor1D, entropy: boolean, chunk: number, tied: TiedGradient): LmHeadLogProbsResult {
  const op = withGrad((h: tf.Tensor, save: tf.GradSaveFunc) => {
    const [logp, lse, ent] = forward(h as tf.Tensor2D, weight, targets, chunk);
    save([h, weight, targets, lse, ent]);
    return {
      value: entropy ? tf.stack([logp, ent], 1) : logp,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sh, sw, st, slse, sent] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const [dLogp, dEnt] = entropy ? (tf.unstack(dy, 1) as tf.Tensor1D[]) : [dy as tf.Tensor1D, undefined];
        const [dh, dw] = backward(sh, sw, st, slse, sent, dLogp, dEnt, chunk);
        tied.put(dw as tf.Tensor2D);
        return dh;
      },
    };
  });
  const out = op(hidden);
  if (!entropy) return { logProbs: out as tf.Tensor1D };
  const [logProbs, entropies] = tf.unstack(out, 1) as tf.Tensor1D[];
  out.dispose();
  return { logProbs, entropies };
}

/** One chunk holds the whole vocabulary anyway: plain ops, differentiated by tfjs. */
function unchunked(hidden: tf.Tensor2D, weight: tf.Tensor2D, targets: tf.Tensor1D, entropy: boolean): LmHeadLogProbsResult {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(linear(hidden, weight));
    const result: LmHeadLogProbsResult = { logProbs: tf.sum(tf.mul(logp, tf.oneHot(targets, weight.shape[0])), -1) as tf.Tensor1D };
    if (entropy) result.entropies = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)) as tf.Tensor1D;
    return result as unknown as tf.TensorContainerObject;
  }) as unknown as LmHeadLogProbsResult;
}

/** → [logp, lse, entropy], each `[N]`. */
function forward(h: tf.Tensor2D, w: tf.Tensor2D, targets: tf.Tensor1D, chunk: number): tf.Tensor1D[] {
  if (hasKernel(FUSED_KERNELS.lmHeadLogProbs)) {
    return runKernel(FUSED_KERNELS.lmHeadLogProbs, { hidden: h, weight: w, targets }, { chunk }) as tf.Tensor1D[];
  }
  return tf.tidy(() => {
    const V = w.shape[0];
    let m: tf.Tensor | undefined;
    let s: tf.Tensor = tf.zeros([h.shape[0]]);
    let t: tf.Tensor = tf.zeros([h.shape[0]]);
    let picked: tf.Tensor = tf.zeros([h.shape[0]]);
    for (let c0 = 0; c0 < V; c0 += chunk) {
      const z = chunkLogits(h, w, c0, Math.min(chunk, V - c0));
      const mNew = m ? tf.maximum(m, tf.max(z, 1)) : tf.max(z, 1);
      const scale = m ? tf.exp(tf.sub(m, mNew)) : tf.zeros(mNew.shape);
      const e = tf.exp(tf.sub(z, tf.expandDims(mNew, 1)));
      s = tf.add(tf.mul(s, scale), tf.sum(e, 1));
      t = tf.add(tf.mul(t, scale), tf.sum(tf.mul(e, z), 1));
      picked = tf.add(picked, tf.sum(tf.mul(z, targetMask(targets, c0, z.shape[1])), 1));
      m = mNew;
    }
    const lse = tf.add(m as tf.Tensor, tf.log(s));
    return [tf.sub(picked, lse), lse, tf.sub(lse, tf.div(t, s))] as tf.Tensor1D[];
  });
}

/** → [dHidden `[N, H]`, dWeight `[V, H]`]. */
function backward(
  h: tf.Tensor2D, w: tf.Tensor2D, targets: tf.Tensor1D, lse: tf.Tensor1D, ent: tf.Tensor1D, dLogp: tf.Tensor1D, dEnt: tf.Tensor1D | undefined, chunk: number,
): tf.Tensor[] {
  if (hasKernel(FUSED_KERNELS.lmHeadLogProbsGrad)) {
    const inputs: Record<string, tf.Tensor> = { hidden: h, weight: w, targets, lse, entropy: ent, dLogp };
    if (dEnt) inputs.dEntropy = dEnt;
    return runKernel(FUSED_KERNELS.lmHeadLogProbsGrad, inputs, { chunk }) as tf.Tensor[];
  }
  return tf.tidy(() => {
    const V = w.shape[0];
    let dh: tf.Tensor = tf.zeros(h.shape);
    const dws: tf.Tensor[] = [];
    for (let c0 = 0; c0 < V; c0 += chunk) {
      const cols = Math.min(chunk, V - c0);
      const wc = tf.slice(w, [c0, 0], [cols, -1]);
      const z = linear(h, wc as tf.Tensor2D);
      const logp = tf.sub(z, tf.expandDims(lse, 1));
      const p = tf.exp(logp);
      // d logp[target] / dz = onehot - p;  d entropy / dz = -p (log p + entropy)
      let dz = tf.mul(tf.expandDims(dLogp, 1), tf.sub(targetMask(targets, c0, cols), p));
      if (dEnt) dz = tf.sub(dz, tf.mul(tf.expandDims(dEnt, 1), tf.mul(p, tf.add(logp, tf.expandDims(ent, 1)))));
      dh = tf.add(dh, tf.matMul(dz, wc));
      dws.push(tf.matMul(tf.transpose(dz), h));
    }
    return [dh, dws.length === 1 ? dws[0] : tf.concat(dws, 0)];
  });
}

function chunkLogits(h: tf.Tensor2D, w: tf.Tensor2D, c0: number, cols: number): tf.Tensor2D {
  return linear(h, tf.slice(w, [c0, 0], [cols, -1]));
}

/** `[N, cols]` float one-hot of `targets - c0` (all zeros where the target lies outside the chunk). */
function targetMask(targets: tf.Tensor1D, c0: number, cols: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(tf.sub(targets, tf.scalar(c0, 'int32')) as tf.Tensor1D, cols), 'float32') as tf.Tensor2D;
}
