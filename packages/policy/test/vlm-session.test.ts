import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, Rng, segmentImage, type SegmentImage, type Trajectory } from '@tirl/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildVlmPrompt, imageTokenCount, loadPretrainedVlm, Policy, VlmPolicy, vlmBatchLogProbs, type PretrainedVlm, type VlmMessage } from '../src';

/** Rollouts and training of the tiny Idefics3 checkpoint with images in prompts and observations. */
const DIR = join(__dirname, 'fixtures', 'tiny-idefics3');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  images: { width: number; height: number; rgb: number[] }[];
  cases: { messages: VlmMessage[]; images: number[] }[];
};
const images: SegmentImage[] = expected.images.map((im) => segmentImage(im.width, im.height, Uint8Array.from(im.rgb)));
const rgb = (i: number) => ({ width: expected.images[i].width, height: expected.images[i].height, data: Uint8Array.from(expected.images[i].rgb) });

let vlm: PretrainedVlm;
let policy: VlmPolicy;
beforeAll(async () => {
  vlm = await loadPretrainedVlm(DIR);
  policy = new VlmPolicy(vlm.model, vlm.processor, vlm.tokenizer!);
});
afterAll(() => vlm.model.dispose());

/** Log-softmax of full (uncached) logits at the positions before each of `ids.slice(from)`. */
function recomputed(ids: number[], imgs: SegmentImage[], from: number): number[] {
  const processed = imgs.map((im) => vlm.processor.processImage({ width: im.width, height: im.height, data: Uint8Array.from(Buffer.from(im.rgbBase64, 'base64')) }));
  const t = tf.tensor2d([ids], undefined, 'int32');
  const logits = vlm.model.logits(t, [processed]);
  const lp = tf.logSoftmax(logits).arraySync()[0];
  tf.dispose([t, logits]);
  return ids.slice(from).map((id, k) => lp[from + k - 1][id]);
}

describe('VlmPolicy sessions: the KV cache covers image tokens', () => {
  it('greedy decoding after a multi-image prompt matches an uncached forward pass of the whole row', async () => {
    const c = expected.cases[0];
    const prompt = buildVlmPrompt(vlm.tokenizer!, vlm.processor, c.messages, c.images.map(rgb));
    const session = policy.startSession();
    const row = session.add(prompt.ids, c.images.map((i) => images[i]));
    const [res] = await session.generate([row], { maxNewTokens: 6, temperature: 0, stopTokenIds: [] }, new Rng(1));
    const all = session.tokens(row);
    session.dispose();
    expect(all).toEqual([...prompt.ids, ...res.tokenIds]);
    const want = recomputed(all, c.images.map((i) => images[i]), prompt.ids.length);
    res.logProbs.forEach((lp, k) => expect(Math.abs(lp - want[k])).toBeLessThan(1e-4));
  });

  it('an image appended mid-rollout (a tool observation) enters the cache: token-in/token-out holds', async () => {
    const tk = vlm.tokenizer!;
    const prompt = buildVlmPrompt(tk, vlm.processor, expected.cases[2].messages, []);
    const session = policy.startSession();
    const row = session.add(prompt.ids);
    const opts = { maxNewTokens: 3, temperature: 0, stopTokenIds: [] };
    const [first] = await session.generate([row], opts, new Rng(2));
    const before = tk.encode('<end_of_utterance>\nTool: ');
    session.append(row, before);
    const imageIds = session.appendImage(row, images[1]);
    const after = tk.encode('<end_of_utterance>\nAssistant:');
    session.append(row, after);
    const [second] = await session.generate([row], opts, new Rng(3));
    const all = session.tokens(row);
    session.dispose();
    // tall image: 2 × 1 tiles + global view = 3 frames × 4 image tokens, plus markers
    expect(imageIds.filter((t) => t === vlm.model.config.imageTokenId)).toHaveLength(12);
    expect(tk.decode(imageIds)).toBe(vlm.processor.imagePrompt(2, 1));
    expect(all).toEqual([...prompt.ids, ...first.tokenIds, ...before, ...imageIds, ...after, ...second.tokenIds]);
    const want = recomputed(all, [images[1]], all.length - 3);
    second.logProbs.forEach((lp, k) => expect(Math.abs(lp - want[k])).toBeLessThan(1e-4));
  });

  it('a text-only session refuses images, naming the fix', () => {
    const session = new Policy(vlm.model.text, vlm.tokenizer!).startSession();
    const row = session.add([1, 2, 3]);
    expect(session.acceptsImages).toBe(false);
    expect(policy.startSession().acceptsImages).toBe(true);
    expect(() => session.appendImage(row, images[0])).toThrow(/reads text only; images need a vision-language policy/);
    expect(() => session.add([1, 2], [images[0]])).toThrow(/vision-language policy/);
    session.dispose();
  });
});

function trajectory(id: string, promptIds: number[], imgs: SegmentImage[], completion: number[]): Trajectory {
  return {
    id,
    sampleId: 's',
    groupId: 'g',
    rootId: id,
    role: 'agent',
    segments: [
      { source: 'prompt', role: 'agent', tokenIds: promptIds, images: imgs },
      { source: 'policy', role: 'agent', tokenIds: completion, logProbs: completion.map(() => -1) },
    ],
    toolCalls: [],
  };
}

describe('training a VLM: image tokens are never trained, the vision tower is frozen by default', () => {
  const c = () => expected.cases[0];
  const build = () => {
    const prompt = buildVlmPrompt(vlm.tokenizer!, vlm.processor, c().messages, c().images.map(rgb));
    const t = trajectory('a', prompt.ids, c().images.map((i) => images[i]), vlm.tokenizer!.encode('A blue bar.'));
    return { prompt, t, batch: buildBatch([t]) };
  };

  it('the loss mask is zero on every image token; a policy segment carrying images is refused', () => {
    const { batch, t } = build();
    const ids = batch.ids.arraySync()[0];
    const mask = batch.lossMaskValues;
    const imageAt = ids.flatMap((id, i) => (id === vlm.model.config.imageTokenId ? [i] : []));
    expect(imageAt).toHaveLength(32);
    expect(imageAt.every((i) => mask[i] === 0)).toBe(true);
    expect(imageTokenCount(t, vlm.model.config.imageTokenId)).toBe(32);
    batch.dispose();
    const bad = { ...t, segments: [t.segments[0], { ...t.segments[1], images: [images[0]] }] };
    expect(() => buildBatch([bad])).toThrow(/policy segment carrying images/);
  });

  it('batch log-probs with images equal the model’s own; gradients reach the decoder only', () => {
    const { batch, prompt } = build();
    const direct = vlm.model.logProbs(batch.ids, batch.attentionMask, [prompt.images]);
    const viaBatch = vlmBatchLogProbs(vlm.model, vlm.processor, batch);
    expect(tf.max(tf.abs(tf.sub(direct.logProbs, viaBatch.logProbs))).dataSync()[0]).toBe(0);
    tf.dispose([direct.logProbs, viaBatch.logProbs]);

    const trainable = vlm.model.trainableWeights();
    const names = [...trainable.keys()];
    expect(names.some((n) => n.startsWith('model.vision_model.') || n.startsWith('model.connector.'))).toBe(false);
    expect(names).toContain('model.text_model.layers.0.self_attn.q_proj.weight');
    const vars = [...trainable.values()];
    const { grads, value } = tf.variableGrads(() => {
      const { logProbs } = vlmBatchLogProbs(vlm.model, vlm.processor, batch);
      return tf.neg(tf.sum(tf.mul(logProbs, batch.lossMask))) as tf.Scalar;
    }, vars);
    const embedGrad = grads[vars[0].name];
    const imageRow = tf.gather(embedGrad, [vlm.model.config.imageTokenId]);
    // the <image> token's own embedding never enters the forward pass (its rows are replaced)
    expect(tf.max(tf.abs(imageRow)).dataSync()[0]).toBe(0);
    expect(tf.max(tf.abs(grads[trainable.get('model.text_model.layers.0.self_attn.q_proj.weight')!.name])).dataSync()[0]).toBeGreaterThan(0);
    expect(value.dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([value, imageRow, ...Object.values(grads)]);
    batch.dispose();
  });

  it('with trainVision the tower and connector get gradients through the image features', async () => {
    const open = await loadPretrainedVlm(DIR, { trainVision: true });
    try {
      const { batch } = build();
      const names = [...open.model.trainableWeights().keys()];
      expect(names).toContain('model.connector.modality_projection.proj.weight');
      expect(names).toContain('model.vision_model.embeddings.patch_embedding.weight');
      const vision = [...open.model.trainableWeights()].filter(([n]) => !n.startsWith('model.text_model') && n !== 'lm_head.weight');
      const { grads, value } = tf.variableGrads(() => {
        const { logProbs } = vlmBatchLogProbs(open.model, open.processor, batch);
        return tf.neg(tf.sum(tf.mul(logProbs, batch.lossMask))) as tf.Scalar;
      }, vision.map(([, v]) => v));
      for (const [name, v] of vision) {
        expect([name, tf.max(tf.abs(grads[v.name])).dataSync()[0] > 0]).toEqual([name, true]);
      }
      tf.dispose([value, ...Object.values(grads)]);
      batch.dispose();
    } finally {
      open.model.dispose();
    }
  });

  it('with LoRA on the decoder only adapters train', () => {
    const clone = vlm.model.text.clone();
    try {
      clone.addAdapter({ r: 2, alpha: 4 });
      const names = [...clone.trainableWeights().keys()];
      expect(names.every((n) => n.includes('lora_'))).toBe(true);
    } finally {
      clone.dispose();
    }
  });
});
