import * as tf from '@tensorflow/tfjs-core';
import { ADAMW_TRANSIENT_COPIES, createTinyModel } from '@tirl/policy';
import { AdamW, type AdamWConfig } from '../src';

const CONFIG: AdamWConfig = { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 };

/**
 * The update as it was first written (kept here as the reference): moments start as zero buffers and the
 * whole expression of each variable runs in one tidy.
 */
class OneTidyAdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private updates = 0;
  constructor(private readonly c: AdamWConfig) {}
  apply(params: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    this.updates += 1;
    const [b1, b2] = this.c.betas;
    const c1 = 1 - b1 ** this.updates;
    const c2 = 1 - b2 ** this.updates;
    for (const [name, grad] of grads) {
      const p = params.get(name)!;
      if (!this.m.has(name)) this.m.set(name, tf.variable(tf.zerosLike(p), false));
      if (!this.v.has(name)) this.v.set(name, tf.variable(tf.zerosLike(p), false));
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      tf.tidy(() => {
        const mNew = tf.add(tf.mul(m, b1), tf.mul(grad, 1 - b1));
        const vNew = tf.add(tf.mul(v, b2), tf.mul(tf.square(grad), 1 - b2));
        m.assign(mNew);
        v.assign(vNew);
        const step = tf.div(tf.div(mNew, c1), tf.add(tf.sqrt(tf.div(vNew, c2)), this.c.eps));
        const decayed = this.c.weightDecay > 0 ? tf.mul(p, 1 - lr * this.c.weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(step, lr)));
      });
    }
  }
  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

/** Gradients of the same sizes as `params`, seeded per update (some entries exactly zero). */
function gradsFor(params: ReadonlyMap<string, tf.Variable>, seed: number): Map<string, tf.Tensor> {
  return new Map(
    [...params].map(([name, p], i) => [name, tf.tidy(() => tf.mul(tf.randomNormal(p.shape, 0, 0.1, 'float32', seed * 1000 + i), tf.cast(tf.greater(tf.randomUniform(p.shape, 0, 1, 'float32', seed * 7 + i), 0.1), 'float32')))]),
  );
}

/** Largest `tf.memory().numBytes` seen while `fn` runs (tfjs counts each tensor as it is made). */
function peakBytes(fn: () => void): number {
  const engine = tf.engine() as unknown as { trackTensor(...a: unknown[]): void; state: { numBytes: number } };
  let peak = engine.state.numBytes;
  const track = engine.trackTensor;
  engine.trackTensor = function (this: unknown, ...a: unknown[]) {
    track.apply(engine, a);
    peak = Math.max(peak, engine.state.numBytes);
  };
  try {
    fn();
  } finally {
    engine.trackTensor = track;
  }
  return peak;
}

describe('AdamW, one variable at a time', () => {
  it('gives the weights of the one-tidy update on a tiny model (three updates, weight decay)', () => {
    const a = createTinyModel({ vocabSize: 50, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 }, 3, { std: 0.2 });
    const b = a.clone();
    const pa = a.trainableWeights();
    const pb = b.trainableWeights();
    const ours = new AdamW(CONFIG);
    const reference = new OneTidyAdamW(CONFIG);
    for (const step of [1, 2, 3]) {
      const ga = gradsFor(pa, step);
      const gb = gradsFor(pb, step);
      ours.apply(pa, ga, 0.05);
      reference.apply(pb, gb, 0.05);
      expect(ga.size).toBe(0); // taken and disposed
      tf.dispose([...gb.values()]);
    }
    let worst = 0;
    for (const [name, p] of pa) {
      const x = p.dataSync();
      const y = pb.get(name)!.dataSync();
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
    }
    expect(worst).toBeLessThanOrEqual(1e-6);
    // the weights moved (not a comparison of two no-ops)
    expect(Math.abs(pa.get('model.layers.0.mlp.up_proj.weight')!.dataSync()[0] - createTinyModel({ vocabSize: 50, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2 }, 3, { std: 0.2 }).namedWeights().get('model.layers.0.mlp.up_proj.weight')!.dataSync()[0])).toBeGreaterThan(0.01);
    ours.dispose();
    reference.dispose();
    a.dispose();
    b.dispose();
  });

  it('matches hand-derived updates of two variables of different sizes', () => {
    // lr 0.1, betas (0.9, 0.999), eps 1e-8, no weight decay. Update 1: m = 0.1·g, v = 0.001·g², so
    // m̂ = g, v̂ = g², and each entry moves by 0.1·g/(|g| + 1e-8): −0.1·sign(g) (an entry with g = 0
    // stays: 0/(0 + eps) = 0).
    //   small = [1]: g = 0.5 → 0.9;  big = [1, 2, 3]: g = [−2, 0, 0.25] → [1.1, 2, 2.9]
    // Update 2, big[0] with g = 1: m = 0.9·(−0.2) + 0.1·1 = −0.08, v = 0.999·0.004 + 0.001·1 = 0.004996,
    //   m̂ = −0.08/0.19 = −0.42105263, v̂ = 0.004996/0.001999 = 2.4992496, √v̂ = 1.5808952,
    //   p = 1.1 + 0.1·0.42105263/1.5808952 = 1.1 + 0.02663381 = 1.12663381
    const small = tf.variable(tf.tensor1d([1]), true, 'adamw-hand-small');
    const big = tf.variable(tf.tensor1d([1, 2, 3]), true, 'adamw-hand-big');
    const params = new Map([['big', big], ['small', small]]);
    const opt = new AdamW({ betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
    opt.apply(params, new Map<string, tf.Tensor>([['big', tf.tensor1d([-2, 0, 0.25])], ['small', tf.tensor1d([0.5])]]), 0.1);
    expect(small.dataSync()[0]).toBeCloseTo(0.9, 6);
    const [b0, b1, b2] = big.dataSync();
    expect([b0, b1, b2].map((x) => +x.toFixed(6))).toEqual([1.1, 2, 2.9]);
    opt.apply(params, new Map<string, tf.Tensor>([['big', tf.tensor1d([1, 0, 0])], ['small', tf.tensor1d([0])]]), 0.1);
    expect(big.dataSync()[0]).toBeCloseTo(1.12663381, 6);
    opt.dispose();
    tf.dispose([small, big]);
  });

  it('holds no zero buffers, frees each gradient, and keeps at most three variable-sized temporaries', () => {
    const sizes = [200_000, 3_000, 50_000, 10];
    const params = new Map(sizes.map((n, i) => [`w${i}`, tf.variable(tf.randomNormal([n], 0, 1, 'float32', i), true, `adamw-mem-${i}`)]));
    const opt = new AdamW(CONFIG);
    const before = tf.memory().numBytes;
    const paramBytes = sizes.reduce((a, b) => a + b, 0) * 4;
    for (const step of [1, 2]) {
      const grads = gradsFor(params, step);
      const start = tf.memory().numBytes; // params (+ moments from update 2) + gradients
      const peak = peakBytes(() => opt.apply(params, grads, 0.01));
      // The largest variable goes last, when only its own gradient is left of them: the peak is at most
      // everything held at the start, the moments the first update makes, and three temporaries of the
      // largest (+ a few scalars). One tidy around the whole expression held about ten.
      const newMoments = step === 1 ? 2 * paramBytes : 0;
      expect(peak - start).toBeLessThanOrEqual(newMoments + ADAMW_TRANSIENT_COPIES * 200_000 * 4 + 1024);
      // After the update: the weights and their two moments, nothing else (no zero buffer pinned).
      expect(tf.memory().numBytes - before).toBe(2 * paramBytes);
    }
    opt.dispose();
    tf.dispose([...params.values()]);
  });

  it('validates every name before touching any weight', () => {
    const p = tf.variable(tf.tensor1d([1, 2]), true, 'adamw-validate');
    const opt = new AdamW(CONFIG);
    const grads = new Map<string, tf.Tensor>([['p', tf.tensor1d([1, 1])], ['nope', tf.tensor1d([1])]]);
    expect(() => opt.apply(new Map([['p', p]]), grads, 0.1)).toThrow('AdamW: gradient for unknown variable "nope"');
    expect([...p.dataSync()]).toEqual([1, 2]);
    expect(opt.updates).toBe(0);
    tf.dispose([...grads.values(), p]);
    opt.dispose();
  });
});
