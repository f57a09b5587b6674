import * as tf from '@tensorflow/tfjs-core';
import { sliceRows, type Batch } from '@tirl/core';
import { createValueHead, type CausalLM, type ValueHead } from '@tirl/policy';
import { AdamW } from '../optim/adamw';
import { clipByGlobalNorm, disposeGrads, globalNorm } from '../optim/gradients';
import type { TrainerSettings } from '../settings';

/**
 * The value model of GAE recipes: a trainable copy of the policy trunk with a linear value head
 * (`v_head.*`), trained with the clipped value loss of PPO (Schulman et al., arXiv 1707.06347, eq. 9):
 * 0.5 · mean over trained tokens of max((V − R)², (clip(V, V_old ± c) − R)²).
 */
export class Critic {
  private readonly trunk: CausalLM;
  private readonly head: ValueHead;
  private readonly optimizer: AdamW;

  constructor(
    policy: CausalLM,
    private readonly settings: TrainerSettings,
  ) {
    this.trunk = policy.clone({ trainable: true });
    this.head = createValueHead(this.trunk, { seed: settings.seed });
    this.optimizer = new AdamW(settings.optimizer);
  }

  /** `[B, T]` value estimates (no gradient). */
  values(batch: Batch): tf.Tensor2D {
    return tf.tidy(() => this.head.values(batch.ids, batch.attentionMask));
  }

  /**
   * One value update per group of rows; returns the mean value loss. `valueMask` (`[B, T]`, from the
   * advantage estimator) limits the loss to some trained tokens (T-PPO: finished responses only).
   */
  update(batch: Batch, returns: tf.Tensor2D, oldValues: tf.Tensor2D, rowGroups: readonly number[][], valueMask?: tf.Tensor2D): number {
    const weights = this.namedWeights();
    const byTfName = new Map([...weights].map(([name, v]) => [v.name, name]));
    let total = 0;
    for (const rows of rowGroups) {
      const part = sliceRows(batch, rows);
      const index = tf.tensor1d(rows as number[], 'int32');
      const R = tf.gather(returns, index);
      const old = tf.gather(oldValues, index);
      const mask = valueMask ? tf.tidy(() => tf.mul(part.lossMask, tf.gather(valueMask, index)) as tf.Tensor2D) : part.lossMask;
      const counted = valueMask ? tf.tidy(() => tf.sum(mask).dataSync()[0]) : part.lossMaskValues.reduce((a, b) => a + b, 0);
      const tokens = Math.max(1, counted);
      // A mini-batch whose rows are all excluded (every response unfinished) has no value target: skip it.
      if (valueMask && counted === 0) {
        tf.dispose([index, R, old, ...(valueMask ? [mask] : [])]);
        part.dispose();
        continue;
      }
      const c = this.settings.value.clip;
      const { value, grads } = tf.variableGrads(() => {
        const v = this.head.values(part.ids, part.attentionMask);
        const clipped = tf.add(old, tf.clipByValue(tf.sub(v, old), -c, c));
        const loss = tf.maximum(tf.square(tf.sub(v, R)), tf.square(tf.sub(clipped, R)));
        return tf.div(tf.sum(tf.mul(loss, mask)), 2 * tokens) as tf.Scalar;
      }, [...weights.values()]);
      total += value.dataSync()[0];
      const named = new Map(Object.entries(grads).map(([k, g]) => [byTfName.get(k) ?? k, g]));
      const norm = globalNorm(named);
      if (Number.isFinite(norm)) {
        clipByGlobalNorm(named, norm, this.settings.maxGradNorm);
        this.optimizer.apply(weights, named, this.settings.value.lr);
      }
      disposeGrads(named);
      tf.dispose([value, index, R, old, ...(valueMask ? [mask] : [])]);
      part.dispose();
    }
    return total / Math.max(1, rowGroups.length);
  }

  /** Trunk weights under `critic.<name>` and the head's `v_head.*`. */
  namedWeights(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, v] of this.trunk.namedWeights()) out.set(`critic.${name}`, v);
    for (const [name, v] of this.head.namedWeights()) out.set(name, v);
    return out;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.head.dispose();
    this.trunk.dispose();
  }
}
