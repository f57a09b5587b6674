import { Rng, segmentImage, type SegmentImage } from '@tirl/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPretrainedVlm, VlmPolicy, type PretrainedVlm } from '../src';

/**
 * Prompt images as the rollout engine passes them: a chat message's `images`, rendered by
 * `VlmPolicy.encodeChat`. Expected ids and logits come from the independent reference
 * (`scripts/make-vlm-fixtures.py`, float64 PyTorch + Pillow), case 1: one 24×20 image then "Count.".
 */
const DIR = join(__dirname, 'fixtures', 'tiny-idefics3');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  images: { width: number; height: number; rgb: number[] }[];
  cases: { text: string; ids: number[]; logits: number[][] }[];
};
const images: SegmentImage[] = expected.images.map((im) => segmentImage(im.width, im.height, Uint8Array.from(im.rgb)));

let vlm: PretrainedVlm;
let policy: VlmPolicy;
beforeAll(async () => {
  vlm = await loadPretrainedVlm(DIR);
  policy = new VlmPolicy(vlm.model, vlm.processor, vlm.tokenizer!);
});
afterAll(() => vlm.model.dispose());

function logSoftmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
  return row.map((x) => x - lse);
}

describe('prompt images: a message carrying images, rendered by the policy', () => {
  it('encodeChat gives the reference processor’s ids for {content, images} (images before the text)', () => {
    const c = expected.cases[1];
    const enc = policy.encodeChat([{ role: 'user', content: 'Count.', images: [images[2]] }]);
    expect(enc.ids).toEqual(c.ids);
    expect(enc.images).toEqual([images[2]]);
    expect(enc.text).toContain('<fake_token_around_image>');
  });

  it('a session added with the prompt’s images scores the next token as the reference logits do (the cache covers the image)', async () => {
    const c = expected.cases[1];
    const enc = policy.encodeChat([{ role: 'user', content: 'Count.', images: [images[2]] }]);
    const session = policy.startSession();
    const row = session.add(enc.ids, enc.images);
    const [res] = await session.generate([row], { maxNewTokens: 1, temperature: 0, stopTokenIds: [] }, new Rng(0));
    session.dispose();
    // Greedy: the reference's argmax at the last prompt position, with its log-softmax value.
    const last = logSoftmax(c.logits[c.logits.length - 1]);
    const argmax = last.indexOf(Math.max(...last));
    expect(res.tokenIds).toEqual([argmax]);
    expect(Math.abs(res.logProbs[0] - last[argmax])).toBeLessThan(1e-4);
  });

  it('the ids are refused without their images, or with images of another token count', () => {
    const enc = policy.encodeChat([{ role: 'user', content: 'Count.', images: [images[2]] }]);
    const session = policy.startSession();
    try {
      // 24×20 → 2×2 tiles + global = 5 frames × 4 tokens = 20 <image> tokens; 16×40 → 2 rows × 1 column + global = 3 frames × 4 = 12.
      expect(() => session.add(enc.ids)).toThrow(/the prompt has 20 image tokens but no images were given/);
      expect(() => session.add(enc.ids, [images[1]])).toThrow(/the prompt has 20 image tokens but its 1 images give 12 features/);
    } finally {
      session.dispose();
    }
  });

  it('messages without images render as text parts in the model’s template', () => {
    const c = expected.cases[2];
    expect(policy.encodeChat([{ role: 'user', content: 'No image here.' }]).ids).toEqual(c.ids);
  });
});

describe('Idefics3Processor.grid: the tiling without pixels (memory plans)', () => {
  it('agrees with processImage and with the hand-derived tiles (tile side 32 in the tiny processor, longest edge 64)', () => {
    // 70×50 → 2×2 + global = 5; 16×40 → 2 rows × 1 column + global = 3; 24×20 (upscaled) → 2×2 + global = 5.
    expect(images.map((im) => vlm.processor.grid(im.width, im.height))).toEqual([
      { rows: 2, cols: 2, frames: 5 },
      { rows: 2, cols: 1, frames: 3 },
      { rows: 2, cols: 2, frames: 5 },
    ]);
    for (const im of images) {
      const p = vlm.processor.processImage({ width: im.width, height: im.height, data: Uint8Array.from(Buffer.from(im.rgbBase64, 'base64')) });
      expect(vlm.processor.grid(im.width, im.height)).toEqual({ rows: p.rows, cols: p.cols, frames: p.frames });
    }
  });
});

