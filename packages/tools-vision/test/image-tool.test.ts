import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseOptions, segmentImagePixels, type Sample, type Tool, type ToolContext } from '@tirl/core';
import { runToolKit, testPluginContext } from '@tirl/core/testing';
import { imageTool } from '../src';

let kitImage: Buffer | undefined;
beforeAll(async () => {
  kitImage = await coordinateImage();
});
runToolKit(imageTool, {
  valid: {},
  context: () => ({ sample: { id: 's', messages: [], meta: { image: kitImage, evidenceBoxes: [[20, 20, 40, 40]] } } }),
  calls: [
    { args: { op: 'crop', box: [10, 10, 50, 50] }, ok: true, observation: /40×40/ },
    { args: { op: 'crop', box: [50, 50, 10, 10] }, ok: false },
  ],
  invalid: [
    { options: { ops: [] }, field: 'ops' },
    { options: { ops: ['blur'] }, field: 'ops' },
    { options: { units: 'percent' }, field: 'units' },
    { options: { evidenceThreshold: 0 }, field: 'evidenceThreshold' },
    { options: { color: 'red; x' }, field: 'color' },
    { options: { maxImages: 0 }, field: 'maxImages' },
  ],
});

const W = 200;
const H = 100;

/** A 200×100 RGB image whose pixel (x, y) is (x, y, 0): a pixel's colour tells where it came from. */
async function coordinateImage(): Promise<Buffer> {
  const raw = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) raw.set([x, y, 0], (y * W + x) * 3);
  return sharp(raw, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
}

async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at], data[at + 1], data[at + 2]];
}

interface ImageData {
  imageId: string;
  width: number;
  height: number;
  region: number[];
  png: Buffer;
}

describe('tool/image', () => {
  let image: Buffer;
  let tool: Tool;
  let sample: Sample;
  const make = (options: Record<string, unknown> = {}): Tool =>
    imageTool.create(parseOptions(imageTool.id, imageTool.options, options), testPluginContext(imageTool.id));
  const ctx = (overrides: Partial<ToolContext> = {}): ToolContext => ({
    trajectoryId: 't1', rootId: 't1', turn: 0, timeoutMs: 10_000, sample, ...overrides,
  });
  const ok = async (args: unknown, c: ToolContext = ctx(), t: Tool = tool) => {
    const result = await t.call(args, c);
    if (!result.ok) throw new Error(result.observation);
    return { result, data: result.data as ImageData };
  };

  beforeAll(async () => {
    image = await coordinateImage();
  });
  beforeEach(() => {
    sample = { id: 's', messages: [], meta: { image, evidenceBoxes: [[20, 20, 40, 40]] } };
    tool = make();
  });
  afterEach(() => tool.dispose?.());

  it('crops by pixel box: size, region, pixels and evidence', async () => {
    const { result, data } = await ok({ op: 'crop', box: [10, 10, 50, 50] });
    expect(result.observation).toBe('img1 = crop of img0: 40×40 pixels, showing [10, 10, 50, 50] of the original image');
    expect(data).toMatchObject({ imageId: 'img1', width: 40, height: 40, region: [10, 10, 50, 50] });
    expect(await pixel(data.png, 0, 0)).toEqual([10, 10, 0]);
    expect(await pixel(data.png, 39, 39)).toEqual([49, 49, 0]);
    // evidence [20,20,40,40] lies inside: coverage 1; iou = 400 / 1600.
    expect(result.evidence).toEqual({ iou: 0.25, coverage: 1, containsEvidence: 1, evidenceBoxes: 1, invalidBoxes: 0 });
  });

  it('returns the result as an RGB image for a vision-language policy (showImages, default on)', async () => {
    const { result } = await ok({ op: 'crop', box: [10, 20, 14, 22] });
    expect(result.images).toHaveLength(1);
    const [im] = result.images!;
    expect([im.width, im.height]).toEqual([4, 2]);
    // pixel (x, y) of the coordinate image is (x, y, 0): the crop's first row is x = 10..13 at y = 20
    expect([...segmentImagePixels(im)]).toEqual([10, 20, 0, 11, 20, 0, 12, 20, 0, 13, 20, 0, 10, 21, 0, 11, 21, 0, 12, 21, 0, 13, 21, 0]);
    const quiet = make({ showImages: false });
    const hidden = await quiet.call({ op: 'crop', box: [10, 20, 14, 22] }, ctx());
    expect(hidden.images).toBeUndefined();
    quiet.dispose?.();
  });

  it('crops by normalized box', async () => {
    // [0.25, 0.5, 0.75, 1] of 200×100 = [50, 50, 150, 100].
    const { data } = await ok({ op: 'crop', box: [0.25, 0.5, 0.75, 1], units: 'normalized' });
    expect(data).toMatchObject({ width: 100, height: 50, region: [50, 50, 150, 100] });
    expect(await pixel(data.png, 0, 0)).toEqual([50, 50, 0]);
  });

  it('chains operations by id and keeps regions in original coordinates', async () => {
    await ok({ op: 'crop', box: [100, 20, 180, 80] }); // img1: 80×60 from (100, 20)
    const { data } = await ok({ op: 'crop', image: 'img1', box: [10, 5, 30, 25] }); // img2: original [110, 25, 130, 45]
    expect(data).toMatchObject({ imageId: 'img2', region: [110, 25, 130, 45] });
    expect(await pixel(data.png, 0, 0)).toEqual([110, 25, 0]);
    const zoomed = await ok({ op: 'zoom', image: 'img1', box: [0, 0, 40, 30], scale: 2 });
    // img3: 80×60, showing [100, 20, 140, 50]; img3 → img1 is (x/2, y/2), so its crop [20, 10, 60, 30] is
    // img1's [10, 5, 30, 15], i.e. the original's [110, 25, 130, 35].
    expect(zoomed.data).toMatchObject({ imageId: 'img3', width: 80, height: 60, region: [100, 20, 140, 50] });
    const inner = await ok({ op: 'crop', image: 'img3', box: [20, 10, 60, 30] });
    expect(inner.data.region).toEqual([110, 25, 130, 35]);
  });

  it.each([
    // 90° clockwise: the new top-left pixel is the original bottom-left (0, 99); new size 100×200.
    [{ op: 'rotate', degrees: 90 }, 100, 200, [0, 99, 0]],
    [{ op: 'rotate', degrees: 180 }, 200, 100, [199, 99, 0]],
    // 270° clockwise: the new top-left pixel is the original top-right (199, 0).
    [{ op: 'rotate', degrees: 270 }, 100, 200, [199, 0, 0]],
    [{ op: 'flip', axis: 'horizontal' }, 200, 100, [199, 0, 0]],
    [{ op: 'flip', axis: 'vertical' }, 200, 100, [0, 99, 0]],
  ])('%j keeps the whole region and moves pixels as expected', async (args, width, height, topLeft) => {
    const { data } = await ok(args);
    expect(data).toMatchObject({ width, height, region: [0, 0, 200, 100] });
    expect(await pixel(data.png, 0, 0)).toEqual(topLeft);
  });

  it('maps a crop of a rotated image back to the original', async () => {
    await ok({ op: 'rotate', degrees: 90 }); // img1 is 100×200; (x', y') → (y', 100 − x')
    const { data } = await ok({ op: 'crop', image: 'img1', box: [0, 0, 10, 30] });
    // corners (0,0)→(0,100), (10,30)→(30,90): region [0, 90, 30, 100].
    expect(data.region).toEqual([0, 90, 30, 100]);
    expect(await pixel(data.png, 0, 0)).toEqual([0, 99, 0]);
  });

  it('adjusts contrast and brightness', async () => {
    // pixel (100, 50) = (100, 50, 0); contrast 2 around 128: 2·(v − 128) + 128 → (72, 0, 0) (clipped at 0).
    const { data } = await ok({ op: 'adjust', contrast: 2 });
    expect(await pixel(data.png, 100, 50)).toEqual([72, 0, 0]);
    expect(data.region).toEqual([0, 0, 200, 100]);
  });

  it('draws a grid and boxes in the configured colour', async () => {
    const colored = make({ color: '#0000ff', lineWidth: 2 });
    const grid = await ok({ op: 'grid', rows: 2, cols: 4 }, ctx(), colored); // 2-pixel lines centred on x = 50, 100, 150 and y = 50
    expect((await pixel(grid.data.png, 100, 10))[2]).toBeGreaterThan(200);
    expect(await pixel(grid.data.png, 25, 25)).toEqual([25, 25, 0]);
    const boxes = await ok({ op: 'draw_boxes', boxes: [[20, 20, 60, 60]] }, ctx(), colored);
    expect((await pixel(boxes.data.png, 20, 40))[2]).toBeGreaterThan(200);
    expect(await pixel(boxes.data.png, 40, 40)).toEqual([40, 40, 0]);
  });

  it('clamps a box that is partly outside and says so', async () => {
    const { result, data } = await ok({ op: 'crop', box: [150, -10, 260, 30] });
    expect(data.region).toEqual([150, 0, 200, 30]);
    expect(result.observation).toMatch(/\(box clamped to the image: \[150, 0, 200, 30\]\)$/);
  });

  it('rounds fractional pixel boxes outwards', async () => {
    const { data } = await ok({ op: 'crop', box: [10.5, 10.2, 20.1, 20.9] });
    expect(data.region).toEqual([10, 10, 21, 21]);
  });

  it.each([
    [{ op: 'crop', box: [30, 10, 20, 40] }, 'bad-box', /inverted or empty: need x1 < x2 and y1 < y2 \(img0 is 200×100 pixels\)/],
    [{ op: 'crop', box: [10, 10, 10, 40] }, 'bad-box', /inverted or empty/],
    [{ op: 'crop', box: [300, 0, 400, 50] }, 'bad-box', /lies outside the 200×100 image/],
    [{ op: 'crop', box: [1.2, 0, 1.5, 1], units: 'normalized' }, 'bad-box', /lies outside .*box given normalized/],
    [{ op: 'crop', box: [NaN, 0, 10, 10] }, 'schema', /box\.0: /],
    [{ op: 'crop', box: [0, 0, 10] }, 'schema', /box: /],
    [{ op: 'crop', box: '0,0,10,10' }, 'schema', /box: /],
    [{ op: 'rotate', degrees: 45 }, 'schema', /degrees/],
    [{ op: 'blur' }, 'schema', /op/],
    [{ op: 'crop', image: 'img7', box: [0, 0, 10, 10] }, 'not-found', /no image "img7"; this task has img0/],
    [{ op: 'crop', image: '../x', box: [0, 0, 10, 10] }, 'schema', /image: /],
    [{ op: 'zoom', box: [0, 0, 200, 100], scale: 8 }, 'bad-box', /zoom output 1280000 pixels exceeds the limit of 1000000/],
    [{ op: 'draw_boxes', boxes: [[0, 0, 10, 10], [5, 5, 1, 1]] }, 'bad-box', /inverted/],
  ])('rejects %j with %s', async (args, error, message) => {
    const t = make({ maxOutputPixels: 1_000_000 });
    const result = await t.call(args, ctx());
    expect(result).toMatchObject({ ok: false, error });
    expect(result.observation).toMatch(message);
  });

  it('refuses operations that the options leave out', async () => {
    const cropOnly = make({ ops: ['crop'] });
    expect(await cropOnly.call({ op: 'rotate', degrees: 90 }, ctx())).toMatchObject({ ok: false, error: 'schema' });
    expect(JSON.stringify(cropOnly.parameters)).not.toMatch(/rotate/);
  });

  it('answers a task without an image, or with an unreadable one, with an observation', async () => {
    const none = await tool.call({ op: 'crop', box: [0, 0, 1, 1] }, ctx({ sample: { id: 's', messages: [] } }));
    expect(none).toMatchObject({ ok: false, error: 'no-image' });
    expect(none.observation).toMatch(/sample\.meta\.image is not set/);
    const missing = await tool.call({ op: 'crop', box: [0, 0, 1, 1] }, ctx({ trajectoryId: 't9', sample: { id: 's', messages: [], meta: { image: '/nonexistent.png' } } }));
    expect(missing).toMatchObject({ ok: false, error: 'no-image' });
    expect(missing.observation).toMatch(/cannot be read/);
  });

  it('reads the image from a file path and leaves out evidence when the sample has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tirl-vision-'));
    try {
      const path = join(dir, 'img.png');
      await sharp(image).toFile(path);
      const result = await tool.call({ op: 'crop', box: [0, 0, 5, 5] }, ctx({ sample: { id: 's', messages: [], meta: { image: path } } }));
      expect(result.ok).toBe(true);
      expect(result.evidence).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps images per trajectory, caps them, and forgets them on release', async () => {
    const capped = make({ maxImages: 2 });
    await ok({ op: 'crop', box: [0, 0, 10, 10] }, ctx(), capped);
    expect((await ok({ op: 'crop', box: [0, 0, 10, 10] }, ctx({ trajectoryId: 't2' }), capped)).data.imageId).toBe('img1');
    await ok({ op: 'crop', image: 'img1', box: [0, 0, 5, 5] }, ctx(), capped);
    // maxImages 2: img1 and img2 were made, a third is refused.
    expect(await capped.call({ op: 'crop', box: [0, 0, 5, 5] }, ctx())).toMatchObject({ ok: false, error: 'refused' });
    await capped.release!('t1');
    expect((await ok({ op: 'crop', box: [0, 0, 10, 10] }, ctx(), capped)).data.imageId).toBe('img1');
  });

  it('times out with an observation', async () => {
    const result = await tool.call({ op: 'zoom', box: [0, 0, 200, 100], scale: 8 }, ctx({ timeoutMs: 0 }));
    expect(result).toMatchObject({ ok: false, error: 'timeout' });
  });
});
