import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVlmPrompt, loadPretrainedVlm, resizeLanczos, savePretrainedVlm, type PretrainedVlm, type RgbImage, type VlmMessage } from '../src';
import { maxAbsDiff } from './helpers';

/**
 * Parity of the Idefics3 / SmolVLM layout with an independent float64 PyTorch forward pass and Pillow's
 * own LANCZOS resize (scripts/make-vlm-fixtures.py, written from transformers' modeling_idefics3.py,
 * image_processing_idefics3.py and processing_idefics3.py) on a tiny random checkpoint.
 */
interface Case {
  messages: VlmMessage[];
  images: number[];
  text: string;
  expanded: string;
  ids: number[];
  grids: [number, number][];
  pixelValues: number[][][][][];
  logits: number[][];
}
interface Expected {
  imageTokenId: number;
  images: { width: number; height: number; rgb: number[] }[];
  cases: Case[];
}
const DIR = join(__dirname, 'fixtures', 'tiny-idefics3');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Expected;
const images: RgbImage[] = expected.images.map((im) => ({ width: im.width, height: im.height, data: Uint8Array.from(im.rgb) }));

let vlm: PretrainedVlm;
beforeAll(async () => {
  vlm = await loadPretrainedVlm(DIR);
});
afterAll(() => vlm.model.dispose());

function logitsOf(p: PretrainedVlm, c: Case): number[][] {
  const prompt = buildVlmPrompt(p.tokenizer!, p.processor, c.messages, c.images.map((i) => images[i]));
  const ids = tf.tensor2d([prompt.ids], undefined, 'int32');
  const out = p.model.logits(ids, [prompt.images]);
  const arr = out.arraySync()[0];
  tf.dispose([ids, out]);
  return arr;
}

describe('tiny Idefics3 / SmolVLM parity with the PyTorch reference', () => {
  it('the chat template, image-token expansion and tokenizer give the reference prompt and ids', () => {
    for (const c of expected.cases) {
      const prompt = buildVlmPrompt(vlm.tokenizer!, vlm.processor, c.messages, c.images.map((i) => images[i]));
      expect(prompt.text).toBe(c.expanded);
      expect(prompt.ids).toEqual(c.ids);
      expect(prompt.images.map((im) => [im.rows, im.cols])).toEqual(c.grids);
    }
  });

  it('pixel values (Pillow LANCZOS resize, split into tiles + global view, rescale, normalise) within 1e-6', () => {
    let worst = 0;
    let frames = 0;
    for (const c of expected.cases) {
      c.images.forEach((imageIndex, k) => {
        const got = vlm.processor.processImage(images[imageIndex]);
        const want = c.pixelValues[k].flat(3);
        expect(got.pixelValues.length).toBe(want.length);
        frames += got.frames;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got.pixelValues[i] - want[i]));
      });
    }
    expect(frames).toBe(13);
    expect(worst).toBeLessThan(1e-6);
  });

  it('logits within 1e-4 on every prompt, including the multi-image multi-turn one', () => {
    const diffs = expected.cases.map((c) => maxAbsDiff(logitsOf(vlm, c), c.logits));
    expect(expected.cases[0].images).toHaveLength(2);
    expect(expected.cases[0].messages.length).toBe(3);
    expect(Math.max(...diffs)).toBeLessThan(1e-4);
  });

  it('batched and left-padded with images, log-probs match the reference rows within 1e-4', () => {
    const prompts = expected.cases.map((c) => buildVlmPrompt(vlm.tokenizer!, vlm.processor, c.messages, c.images.map((i) => images[i])));
    const T = Math.max(...prompts.map((p) => p.ids.length));
    const rows = prompts.map((p) => [...new Array(T - p.ids.length).fill(0), ...p.ids]);
    const mask = prompts.map((p) => rows[0].map((_, t) => (t >= T - p.ids.length ? 1 : 0)));
    const ids = tf.tensor2d(rows, undefined, 'int32');
    const att = tf.tensor2d(mask);
    const { logProbs } = vlm.model.logProbs(ids, att, prompts.map((p) => p.images));
    const got = logProbs.arraySync();
    tf.dispose([ids, att, logProbs]);
    expected.cases.forEach((c, b) => {
      // reference log π(ids[t] | ids[<t]) from the reference logits (log-softmax in float64)
      const want = c.ids.slice(1).map((id, t) => {
        const l = c.logits[t];
        const m = Math.max(...l);
        return l[id] - m - Math.log(l.reduce((a, x) => a + Math.exp(x - m), 0));
      });
      expect(maxAbsDiff(got[b].slice(T - c.ids.length + 1), want)).toBeLessThan(1e-4);
    });
  });

  it('the image features matter: zeroed image features move the logits far beyond the tolerance', () => {
    const c = expected.cases[0];
    const ids = tf.tensor2d([c.ids], undefined, 'int32');
    const plain = vlm.model.text.logits(ids);
    const diff = maxAbsDiff(plain.arraySync()[0], c.logits);
    tf.dispose([ids, plain]);
    expect(diff).toBeGreaterThan(1e-2);
  });

  it('save → load round trip keeps upstream tensor names and gives identical logits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tirl-vlm-'));
    try {
      savePretrainedVlm(dir, vlm);
      const header = readFileSync(join(dir, 'model.safetensors'));
      const names = Object.keys(JSON.parse(header.subarray(8, 8 + Number(header.readBigUInt64LE(0))).toString('utf8'))).filter((n) => n !== '__metadata__');
      const original = readFileSync(join(DIR, 'model.safetensors'));
      const originalNames = Object.keys(JSON.parse(original.subarray(8, 8 + Number(original.readBigUInt64LE(0))).toString('utf8'))).filter((n) => n !== '__metadata__');
      expect(names.sort()).toEqual(originalNames.sort());
      const again = await loadPretrainedVlm(dir);
      const c = expected.cases[1];
      expect(logitsOf(again, c)).toEqual(logitsOf(vlm, c));
      again.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resizeLanczos follows Pillow', () => {
  it('a constant image stays constant under up- and downscaling (normalised integer coefficients)', () => {
    const flat: RgbImage = { width: 7, height: 5, data: new Uint8Array(7 * 5 * 3).fill(77) };
    expect([...resizeLanczos(flat, 3, 9).data].every((v) => v === 77)).toBe(true);
  });
});
