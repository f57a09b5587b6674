import * as tf from '@tensorflow/tfjs-core';
import { AdamW, learningRate, parseTrainerSettings } from '../src';

describe('AdamW', () => {
  it('matches two hand-computed updates with decoupled weight decay', () => {
    // lr 0.1, betas (0.9, 0.999), eps 1e-8, weight decay 0.01, p0 = 1, grads 0.5 then -1.
    // t=1: m = 0.05, v = 0.00025, m^ = 0.05/0.1 = 0.5, v^ = 0.00025/0.001 = 0.25
    //      p = 1·(1 − 0.1·0.01) − 0.1·0.5/(√0.25 + 1e-8) = 0.999 − 0.1 = 0.899
    // t=2: m = 0.045 − 0.1 = −0.055, v = 0.00024975 + 0.001 = 0.00124975
    //      m^ = −0.055/0.19 = −0.2894737, v^ = 0.00124975/0.001999 = 0.6251876
    //      p = 0.899·0.999 + 0.1·0.2894737/0.7906880 = 0.898101 + 0.0366102 = 0.9347113
    const p = tf.variable(tf.scalar(1), true, 'adamw-test-p');
    const opt = new AdamW({ betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
    const params = new Map([['p', p]]);
    opt.apply(params, new Map([['p', tf.scalar(0.5)]]), 0.1);
    expect(p.dataSync()[0]).toBeCloseTo(0.899, 6);
    opt.apply(params, new Map([['p', tf.scalar(-1)]]), 0.1);
    expect(p.dataSync()[0]).toBeCloseTo(0.9347113, 6);

    const saved = opt.state();
    const copy = new AdamW({ betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
    copy.loadState(saved);
    expect(copy.updates).toBe(2);
    expect(copy.state().tensors.get('p.exp_avg')!.dataSync()[0]).toBeCloseTo(-0.055, 7);
    expect(copy.state().tensors.get('p.exp_avg_sq')!.dataSync()[0]).toBeCloseTo(0.00124975, 9);
    copy.dispose();
    opt.dispose();
    p.dispose();
  });
});

describe('learningRate', () => {
  const opt = (o: object) => parseTrainerSettings({ optimizer: { lr: 1, ...o } }).optimizer;
  it('warms up linearly, then follows the schedule to the floor', () => {
    expect([0, 1, 3].map((u) => learningRate(opt({ warmupSteps: 4 }), u, 10))).toEqual([0.25, 0.5, 1]);
    // linear from update 4 over 6 updates to 0: at update 7, progress 3/6 → 0.5
    expect(learningRate(opt({ warmupSteps: 4, schedule: 'linear' }), 7, 10)).toBeCloseTo(0.5);
    // cosine at half way: 0.1 + 0.9 · 0.5 · (1 + cos(π/2)) = 0.55
    expect(learningRate(opt({ schedule: 'cosine', minLrRatio: 0.1 }), 5, 10)).toBeCloseTo(0.55);
    expect(learningRate(opt({ schedule: 'cosine', minLrRatio: 0.1 }), 10, 10)).toBeCloseTo(0.1);
  });

  it('rejects bad settings naming the field', () => {
    expect(() => parseTrainerSettings({ optimizer: { lr: -1 } })).toThrow(/Invalid recipe settings: optimizer\.lr: Too small/);
    expect(() => parseTrainerSettings({ groupSize: 0 })).toThrow(/groupSize: Too small/);
    expect(() => parseTrainerSettings({ optimizer: { schedule: 'step' } })).toThrow(/optimizer\.schedule: Invalid option/);
  });
});
