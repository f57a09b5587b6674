import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, type Trajectory } from '@tirl/core';
import { ByteTokenizer, createTinyModel } from '@tirl/policy';
import { Critic } from '../src/loop/critic';
import { parseTrainerSettings } from '../src/settings';

function row(id: string): Trajectory {
  return {
    id,
    sampleId: id,
    groupId: id,
    rootId: id,
    role: 'agent',
    segments: [
      { source: 'prompt', role: 'agent', tokenIds: [65, 66] },
      { source: 'policy', role: 'agent', tokenIds: [67, 68, 69], logProbs: [-1, -1, -1] },
    ],
    toolCalls: [],
  };
}

describe('Critic value mask (T-PPO: value updates on finished responses only)', () => {
  it('a mask that excludes every row leaves the value model unchanged; the same batch unmasked moves it', () => {
    const tk = new ByteTokenizer();
    const model = createTinyModel({ vocabSize: tk.vocabSize, hiddenSize: 8, intermediateSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 }, 1);
    const critic = new Critic(model, parseTrainerSettings({ value: { lr: 0.1, clip: 0.2 } }));
    const batch = buildBatch([row('a'), row('b')], { padTokenId: tk.padTokenId });
    const snapshot = () => [...critic.namedWeights().values()].map((v) => v.dataSync().slice());
    const returns = tf.onesLike(batch.lossMask) as tf.Tensor2D;
    const old = critic.values(batch);
    const none = tf.zerosLike(batch.lossMask) as tf.Tensor2D;
    const before = snapshot();
    expect(critic.update(batch, returns, old, [[0, 1]], none)).toBe(0);
    expect(snapshot()).toEqual(before);
    critic.update(batch, returns, old, [[0, 1]]);
    expect(snapshot().some((w, i) => w.some((x, j) => x !== before[i][j]))).toBe(true);
    tf.dispose([returns, old, none]);
    batch.dispose();
    critic.dispose();
    model.dispose();
  });
});
