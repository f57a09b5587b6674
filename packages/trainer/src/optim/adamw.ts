import * as tf from '@tensorflow/tfjs-core';

export interface AdamWConfig {
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
}

/** Serialised optimizer moments by `<variable>.exp_avg` / `<variable>.exp_avg_sq`, plus the update count. */
export interface AdamWState {
  updates: number;
  tensors: Map<string, tf.Tensor>;
}

/**
 * AdamW (Loshchilov & Hutter, arXiv 1711.05101): Adam moments with bias correction, and weight decay
 * decoupled from the gradient (`p -= lr * wd * p`). Moments are keyed by variable name so they save and
 * load with the checkpoint.
 */
export class AdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  updates = 0;

  constructor(private readonly config: AdamWConfig) {}

  /** One update of `params` with `grads` (same names) at learning rate `lr`. */
  apply(params: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    this.updates += 1;
    const [b1, b2] = this.config.betas;
    const c1 = 1 - b1 ** this.updates;
    const c2 = 1 - b2 ** this.updates;
    for (const [name, grad] of grads) {
      const p = params.get(name);
      if (!p) throw new Error(`AdamW: gradient for unknown variable "${name}"`);
      const m = this.moment(this.m, name, p);
      const v = this.moment(this.v, name, p);
      tf.tidy(() => {
        const mNew = tf.add(tf.mul(m, b1), tf.mul(grad, 1 - b1));
        const vNew = tf.add(tf.mul(v, b2), tf.mul(tf.square(grad), 1 - b2));
        m.assign(mNew);
        v.assign(vNew);
        const step = tf.div(tf.div(mNew, c1), tf.add(tf.sqrt(tf.div(vNew, c2)), this.config.eps));
        const decayed = this.config.weightDecay > 0 ? tf.mul(p, 1 - lr * this.config.weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(step, lr)));
      });
    }
  }

  state(): AdamWState {
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, m] of this.m) tensors.set(`${name}.exp_avg`, m);
    for (const [name, v] of this.v) tensors.set(`${name}.exp_avg_sq`, v);
    return { updates: this.updates, tensors };
  }

  loadState(state: AdamWState): void {
    this.dispose();
    this.updates = state.updates;
    for (const [key, t] of state.tensors) {
      const avgSq = key.endsWith('.exp_avg_sq');
      const name = key.slice(0, key.length - (avgSq ? '.exp_avg_sq' : '.exp_avg').length);
      (avgSq ? this.v : this.m).set(name, tf.variable(t.clone(), false));
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }

  private moment(store: Map<string, tf.Variable>, name: string, like: tf.Tensor): tf.Variable {
    let t = store.get(name);
    if (!t) {
      t = tf.variable(tf.zerosLike(like), false);
      store.set(name, t);
    }
    return t;
  }
}
