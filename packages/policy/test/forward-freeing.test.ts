import * as tf from '@tensorflow/tfjs-core';
import { createTinyModel, ModelConfig } from '../src';

const config = (layers: number) =>
  ModelConfig.create({ architecture: 'qwen3', vocabSize: 64, hiddenSize: 32, intermediateSize: 48, numHiddenLayers: layers, numAttentionHeads: 4, numKeyValueHeads: 2, headDim: 8 });
const IDS = [[3, 17, 22, 8, 8, 29, 0, 39, 5, 6], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]];
const MASK = [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]];

/** Most tensor bytes alive at once (tfjs's count) while `fn` runs, above those alive before. */
function peakAbove(fn: () => void): number {
  const engine = tf.engine() as unknown as { trackTensor(...a: unknown[]): void; state: { numBytes: number } };
  const start = engine.state.numBytes;
  let peak = start;
  const track = engine.trackTensor;
  engine.trackTensor = function (...a: unknown[]) {
    track.apply(engine, a);
    peak = Math.max(peak, engine.state.numBytes);
  };
  try {
    fn();
  } finally {
    engine.trackTensor = track;
  }
  return peak - start;
}

describe('a forward pass without a gradient tape', () => {
  it('gives the log-probs of the taped pass exactly', () => {
    const model = createTinyModel(config(3), 4, { std: 0.3 });
    const ids = tf.tensor2d(IDS, undefined, 'int32');
    const mask = tf.tensor2d(MASK);
    const free = tf.tidy(() => model.logProbs(ids, mask).logProbs);
    let taped!: tf.Tensor;
    // under tf.grad the tape is on: the layers keep their intermediates for the backward pass
    tf.grad((x: tf.Tensor) => {
      const lp = model.logProbs(ids, mask).logProbs;
      taped = tf.keep(lp.clone());
      return tf.sum(tf.mul(lp, x));
    })(tf.onesLike(free));
    expect([...free.dataSync()]).toEqual([...taped.dataSync()]);
    tf.dispose([free, taped, ids, mask]);
    model.dispose();
  });

  it('holds one layer of intermediates at a time: its peak barely grows with depth', () => {
    const ids = tf.tensor2d(IDS, undefined, 'int32');
    const mask = tf.tensor2d(MASK);
    const peaks = [1, 6].map((layers) => {
      const model = createTinyModel(config(layers), 1, { std: 0.3 });
      const freePeak = peakAbove(() => tf.tidy(() => model.logProbs(ids, mask).logProbs).dispose());
      let tapedPeak = 0;
      tapedPeak = peakAbove(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(model.logProbs(ids, mask).logProbs, x)))(tf.ones([2, 10])).dispose());
      model.dispose();
      return { freePeak, tapedPeak };
    });
    // one layer's intermediates are the bulk of a 1-layer pass; 5 more layers add only their outputs and
    // keys/values (each a fraction of a layer's intermediates) when freed, but 5 layers' worth when taped
    const perLayerTaped = (peaks[1].tapedPeak - peaks[0].tapedPeak) / 5;
    expect(peaks[1].freePeak - peaks[0].freePeak).toBeLessThan(perLayerTaped);
    tf.dispose([ids, mask]);
  });
});
