import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, createExperiment, resolveRecipe } from '@tirl/core';
import { expectClose, makeTrajectory } from '@tirl/core/testing';
import { createTinyModel } from '@tirl/policy';
import { miniBatchGradients, parseTrainerSettings } from '../src';

const recipe = (aggregation: string) =>
  resolveRecipe({ name: 't', plugins: [['objective/ppo-clip'], [`aggregation/${aggregation}`]] }, undefined, { recipes: [] });

describe('micro-batching', () => {
  const model = createTinyModel({ vocabSize: 32, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 }, 3);
  afterAll(() => model.dispose());

  const trajectories = [
    makeTrajectory({ id: 'a', segments: [['prompt', 2], ['policy', 4]], logProb: -3 }),
    makeTrajectory({ id: 'a-w', parentId: 'a', segments: [['prompt', 1], ['policy', 2], ['tool', 2], ['policy', 1]], logProb: -3.2 }),
    makeTrajectory({ id: 'b', segments: [['prompt', 3], ['policy', 2]], logProb: -2.9 }),
    makeTrajectory({ id: 'c', segments: [['prompt', 1], ['policy', 6]], logProb: -3.5 }),
  ].map((t) => ({ ...t, segments: t.segments.map((s) => ({ ...s, tokenIds: s.tokenIds.map((x) => x % 32) })) }));

  for (const aggregation of ['token-mean', 'seq-mean-token-mean', 'root-normalised']) {
    it(`gives the same loss and gradients for any micro-batch size (${aggregation})`, () => {
      const exp = createExperiment(recipe(aggregation));
      const batch = buildBatch(trajectories);
      const advantages = tf.tensor2d(batch.lossMask.arraySync().map((row, b) => row.map((m) => m * (b - 1.5))));
      const run = (microBatchRows: number) =>
        miniBatchGradients(
          { exp, model, settings: parseTrainerSettings({ microBatchRows }), batch, advantages, needEntropy: false },
          [0, 1, 2, 3],
          {},
        );
      const whole = run(16);
      const split = run(1);
      expect(split.loss).toBeCloseTo(whole.loss, 5);
      for (const [name, g] of whole.grads) expectClose(split.grads.get(name)!, g, 1e-5);
      tf.dispose([...whole.grads.values(), ...split.grads.values(), advantages]);
      batch.dispose();
    });
  }
});
