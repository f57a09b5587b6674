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
 *
 * Memory: one variable at a time, smallest first, each gradient disposed as soon as it is applied, and at
 * most three temporaries the size of the variable alive at once (`ADAMW_TRANSIENT_COPIES`); a variable's
 * moments are made at its first update from that gradient, so no zero buffers are ever allocated.
 */
export class AdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  updates = 0;

  constructor(private readonly config: AdamWConfig) {}

  /**
   * One update of `params` with `grads` (same names) at learning rate `lr`. Takes the gradients: each is
   * disposed once applied and `grads` is left empty.
   */
  apply(params: ReadonlyMap<string, tf.Variable>, grads: Map<string, tf.Tensor>, lr: number): void {
    for (const name of grads.keys()) if (!params.has(name)) throw new Error(`AdamW: gradient for unknown variable "${name}"`);
    this.updates += 1;
    const c1 = 1 - this.config.betas[0] ** this.updates;
    const c2 = 1 - this.config.betas[1] ** this.updates;
    // Smallest first: when the largest variable (the embedding) is updated, every other gradient is gone.
    const order = [...grads].sort(([, a], [, b]) => a.size - b.size);
    grads.clear();
    try {
      while (order.length) {
        const [name, grad] = order.shift()!;
        try {
          this.applyOne(name, params.get(name)!, grad, lr, c1, c2);
        } finally {
          grad.dispose();
        }
      }
    } finally {
      for (const [, grad] of order) grad.dispose();
    }
  }

  /**
   * The update of one variable, op for op the expression
   * `m = b1·m + (1−b1)·g; v = b2·v + (1−b2)·g²; p = p·(1 − lr·wd) − lr · (m/c1) / (sqrt(v/c2) + eps)`,
   * cut into tidies so that at most three variable-sized temporaries live at once.
   */
  private applyOne(name: string, p: tf.Variable, grad: tf.Tensor, lr: number, c1: number, c2: number): void {
    const [b1, b2] = this.config.betas;
    const gTerm = tf.tidy(() => tf.mul(grad, 1 - b1));
    // A fresh moment is 0, and b1·0 + x = x exactly in float32: start it from the gradient term.
    const m = this.moment(this.m, name, gTerm, (prev) => tf.add(tf.mul(prev, b1), gTerm));
    const gSqTerm = tf.tidy(() => tf.mul(tf.square(grad), 1 - b2));
    const v = this.moment(this.v, name, gSqTerm, (prev) => tf.add(tf.mul(prev, b2), gSqTerm));
    grad.dispose(); // used up: its memory serves the rest of this update
    const denom = tf.tidy(() => tf.add(tf.sqrt(tf.div(v, c2)), this.config.eps));
    const step = tf.tidy(() => tf.div(tf.div(m, c1), denom));
    denom.dispose();
    const scaled = tf.tidy(() => tf.mul(step, lr));
    step.dispose();
    tf.tidy(() => {
      const decayed = this.config.weightDecay > 0 ? tf.mul(p, 1 - lr * this.config.weightDecay) : p;
      p.assign(tf.sub(decayed, scaled));
    });
    scaled.dispose();
  }

  /** Updates the moment `name` to `next(previous)`, or creates it holding `term` on its first update; disposes `term`. */
  private moment(store: Map<string, tf.Variable>, name: string, term: tf.Tensor, next: (prev: tf.Variable) => tf.Tensor): tf.Variable {
    let t = store.get(name);
    if (t) {
      const prev = t;
      tf.tidy(() => {
        prev.assign(next(prev));
      });
    } else {
      t = tf.variable(term, false);
      store.set(name, t);
    }
    term.dispose(); // the variable holds its own reference to the data
    return t;
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
      const copy = t.clone();
      (avgSq ? this.v : this.m).set(name, tf.variable(copy, false));
      copy.dispose(); // the variable keeps the data; a handle left here would pin it after the first update
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** Variable-sized temporaries an `AdamW` update holds at once, beyond the gradient and the moments. */
export const ADAMW_TRANSIENT_COPIES = 3;
