import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, segmentImage, type Trajectory } from '@tirl/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPretrainedVlm, VlmPolicy, VlmTrainable } from '../src';

/** The KL reference of a vision-language model reads the tower as it was when the reference was made. */
const DIR = join(__dirname, 'fixtures', 'tiny-idefics3');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as { images: { width: number; height: number; rgb: number[] }[] };

async function setUp(trainVision: boolean) {
  const vlm = await loadPretrainedVlm(DIR, { trainVision, trainable: true });
  const policy = new VlmPolicy(vlm.model, vlm.processor, vlm.tokenizer!);
  const image = segmentImage(expected.images[0].width, expected.images[0].height, Uint8Array.from(expected.images[0].rgb));
  const prompt = policy.encodeChat([{ role: 'user', content: 'Count.', images: [image] }]);
  const answer = vlm.tokenizer!.encode('two');
  const trajectory: Trajectory = {
    id: 't', sampleId: 's', groupId: 'g', rootId: 't', role: 'agent', toolCalls: [],
    segments: [
      { source: 'prompt', role: 'agent', tokenIds: prompt.ids, images: [image] },
      { source: 'policy', role: 'agent', tokenIds: answer, logProbs: answer.map(() => 0), text: 'two' },
    ],
  };
  const batch = buildBatch([trajectory], { padTokenId: 0 });
  const trainable = new VlmTrainable(vlm.model, vlm.processor);
  const score = (m: VlmTrainable) => tf.tidy(() => m.batchLogProbs(batch).logProbs.arraySync()[0].slice(prompt.ids.length));
  /** Moves the connector's projection, as a training step on the tower would. */
  const moveTower = () => {
    const proj = vlm.model.namedWeights().get('model.connector.modality_projection.proj.weight')!;
    proj.assign(tf.tidy(() => tf.mul(proj, 3)));
  };
  return { vlm, trainable, score, moveTower, dispose: () => (batch.dispose(), vlm.model.dispose()) };
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));

describe('VlmTrainable.referenceModel', () => {
  it('with trainVision, the reference keeps the tower it was made with while the policy’s tower moves', async () => {
    const s = await setUp(true);
    const reference = s.trainable.referenceModel();
    const before = s.score(reference);
    expect(maxDiff(before, s.score(s.trainable))).toBeLessThan(1e-6);
    s.moveTower();
    expect(maxDiff(s.score(reference), before)).toBeLessThan(1e-6);
    expect(maxDiff(s.score(s.trainable), before)).toBeGreaterThan(1e-3);
    reference.dispose();
    s.dispose();
  });

  it('with the tower frozen (the default), the reference shares it: it copies the tower’s tensors only when the tower trains', async () => {
    const added = async (trainVision: boolean) => {
      const s = await setUp(trainVision);
      const tensorsBefore = tf.memory().numTensors;
      const reference = s.trainable.referenceModel();
      const n = tf.memory().numTensors - tensorsBefore;
      reference.dispose();
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      s.dispose();
      return n;
    };
    const s0 = await setUp(false);
    const towerTensors = [...s0.vlm.model.namedWeights().keys()].filter((n) => !n.startsWith('model.text_model') && n !== 'lm_head.weight').length;
    s0.dispose();
    const frozenCopy = await added(false);
    expect(towerTensors).toBeGreaterThan(10);
    expect((await added(true)) - frozenCopy).toBe(towerTensors);
    const s = await setUp(false);
    expect(s.vlm.model.visionTrains).toBe(false);
    const reference = s.trainable.referenceModel();
    s.moveTower();
    expect(maxDiff(s.score(reference), s.score(s.trainable))).toBeLessThan(1e-6);
    reference.dispose();
    s.dispose();
  });
});
