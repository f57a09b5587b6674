import { parseOptions, segmentImage, segmentImagePixels, type Sample, type SegmentImage, type ToolContext } from '@tirl/core';
import { runToolKit } from '@tirl/core/testing';
import { PythonImageTool, pythonImageTool } from '../src';

/**
 * A 6×4 coordinate image: pixel (x, y) = [x, y, 100 + x + 10·y], so every expected crop, rotation and
 * zoom below is written from the geometry alone.
 */
const W = 6;
const H = 4;
const px = (x: number, y: number) => [x, y, 100 + x + 10 * y];
const coordinateImage = (): SegmentImage => {
  const rgb: number[] = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rgb.push(...px(x, y));
  return segmentImage(W, H, Uint8Array.from(rgb));
};
const sample: Sample = {
  id: 's',
  messages: [{ role: 'user', content: 'Which colour?', images: [coordinateImage()] }],
  meta: { evidenceBoxes: [[2, 1, 3, 2]] },
};
const ctx = (trajectoryId: string): ToolContext => ({ trajectoryId, rootId: trajectoryId, turn: 0, timeoutMs: 20_000, sample });
const pixelsOf = (im: SegmentImage) => Array.from(segmentImagePixels(im));
/** The expected bytes of a w×h image whose pixel (x, y) is `at(x, y)`. */
const build = (w: number, h: number, at: (x: number, y: number) => number[]) => {
  const out: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.push(...at(x, y));
  return out;
};

runToolKit(pythonImageTool, {
  valid: { timeoutMs: 20_000, poolSize: 1, maxSessions: 2 },
  context: { sample },
  calls: [
    { args: { code: 'show(image.crop(0, 0, 2, 2))' }, ok: true, observation: /shown image 1: 2x2, region \[0, 0, 2, 2\] of the original/ },
    { args: { code: 'image.crop(0, 0, 7, 4)' }, ok: false, observation: /crop: box \(0, 0, 7, 4\) is not inside the 6x4 image/ },
  ],
  invalid: [
    { options: { maxImagesPerCall: 0 }, field: 'maxImagesPerCall' },
    { options: { evidenceThreshold: 0 }, field: 'evidenceThreshold' },
    { options: { maxImagePixels: 0 }, field: 'maxImagePixels' },
    { options: { poolSize: 3, maxSessions: 2 }, field: 'poolSize' },
  ],
});

// Each interpreter loads Pyodide (~3 s, far longer on a loaded machine): the cases share one trajectory's session.
jest.setTimeout(240_000);

describe('tool/python-image: Python on the sample image, shown images come back exactly', () => {
  const tool = new PythonImageTool(parseOptions(pythonImageTool.id, pythonImageTool.options, { timeoutMs: 20_000, poolSize: 1, maxSessions: 2, maxImagesPerCall: 3 }));
  afterAll(() => tool.dispose());

  it('crop: the bytes of columns 1–3, rows 1–2; its region holds the evidence box (coverage 1, IoU 1/6)', async () => {
    const r = await tool.call({ code: 'c = image.crop(1, 1, 4, 3)\nprint(c, c.get(0, 0))\nshow(c)' }, ctx('main'));
    expect(r.ok).toBe(true);
    expect(r.observation).toBe('stdout:\nImage(3x2) (1, 1, 111)\nshown image 1: 3x2, region [1, 1, 4, 3] of the original');
    expect(r.images).toHaveLength(1);
    expect([r.images![0].width, r.images![0].height]).toEqual([3, 2]);
    expect(pixelsOf(r.images![0])).toEqual(build(3, 2, (x, y) => px(x + 1, y + 1)));
    // Evidence box [2,1,3,2] (area 1) lies inside the crop [1,1,4,3] (area 6): coverage 1, IoU 1/6.
    expect(r.evidence).toEqual({ iou: 1 / 6, coverage: 1, containsEvidence: 1, evidenceBoxes: 1, invalidBoxes: 0 });
  });

  it('rotate 90 (counter-clockwise): new pixel (x, y) is old (5 − y, x); the region is the whole image', async () => {
    const r = await tool.call({ code: 'show(image.rotate(90))' }, ctx('main'));
    expect([r.images![0].width, r.images![0].height]).toEqual([4, 6]);
    expect(pixelsOf(r.images![0])).toEqual(build(4, 6, (x, y) => px(W - 1 - y, x)));
    // The old top-right pixel (5, 0) = [5, 0, 105] is the new top-left.
    expect(pixelsOf(r.images![0]).slice(0, 3)).toEqual([5, 0, 105]);
    expect(r.observation).toBe('shown image 1: 4x6, region [0, 0, 6, 4] of the original');
  });

  it('zoom 2 of a 2×1 crop: each pixel becomes 2×2; flip mirrors columns; state persists across calls', async () => {
    const first = await tool.call({ code: 'z = image.crop(3, 2, 5, 3).zoom(2)' }, ctx('main'));
    expect(first).toMatchObject({ ok: true, observation: '(no output)' });
    expect(first.images).toBeUndefined();
    const r = await tool.call({ code: 'show(z)\nshow(z.flip())' }, ctx('main'));
    const a = px(3, 2);
    const b = px(4, 2);
    expect(pixelsOf(r.images![0])).toEqual([...a, ...a, ...b, ...b, ...a, ...a, ...b, ...b]);
    expect(pixelsOf(r.images![1])).toEqual([...b, ...b, ...a, ...a, ...b, ...b, ...a, ...a]);
    // Both show [3, 2, 5, 3]; the evidence box [2, 1, 3, 2] does not overlap it.
    expect(r.observation).toBe('shown image 1: 4x2, region [3, 2, 5, 3] of the original\nshown image 2: 4x2, region [3, 2, 5, 3] of the original');
    expect(r.evidence).toMatchObject({ iou: 0, coverage: 0, containsEvidence: 0 });
  });

  it('pixels built by hand are shown with no region and no evidence', async () => {
    const r = await tool.call({ code: 'rows = image.rows()\nshow(Image.from_rows([[p[::-1] for p in row[:2]] for row in rows[:1]]))' }, ctx('main'));
    expect(r.ok).toBe(true);
    // Row 0, columns 0–1, channels reversed: [100, 0, 0], [101, 0, 1].
    expect(pixelsOf(r.images![0])).toEqual([100, 0, 0, 101, 0, 1]);
    expect(r.observation).toBe('shown image 1: 2x1');
    expect(r.evidence).toBeUndefined();
  });

  it('a failing cell returns its traceback and no images; too many shown images is an error', async () => {
    const bad = await tool.call({ code: 'show(image)\n1 / 0' }, ctx('main'));
    expect(bad).toMatchObject({ ok: false, error: 'exception' });
    expect(bad.observation).toMatch(/ZeroDivisionError/);
    expect(bad.images).toBeUndefined();
    const many = await tool.call({ code: 'for _ in range(4): show(image)' }, ctx('main'));
    expect(many.ok).toBe(false);
    expect(many.observation).toMatch(/ValueError: show: at most 3 images per call/);
  });

  it('images are those of the sample’s messages, in order', async () => {
    const two: ToolContext = { ...ctx('two'), sample: { ...sample, messages: [...sample.messages, { role: 'user', content: 'and', images: [segmentImage(1, 1, Uint8Array.from([9, 8, 7]))] }] } };
    const r = await tool.call({ code: 'print(len(images), images[1].get(0, 0), image is images[0])' }, two);
    expect(r.observation).toBe('stdout:\n2 (9, 8, 7) True\n');
  });
});
