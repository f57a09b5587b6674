import { definePlugin, segmentImage, type SegmentImage, type Tool, type ToolContext, type ToolResult , errorMessage, guardedToolCall, parseToolArgs, toolArgumentsSchema, toolFailure } from '@tirl/core';
import sharp from 'sharp';
import { z } from 'zod';
import { evidenceFor } from './evidence';
import { mappedRegion } from './geometry/affine';
import { checkBox, toPixels, type Box } from './geometry/boxes';
import { ImageSessions, loadSampleImage, type StoredImage } from './image-store';
import * as ops from './ops/operations';

const OPS = ['crop', 'zoom', 'rotate', 'flip', 'adjust', 'grid', 'draw_boxes'] as const;
type OpName = (typeof OPS)[number];

const options = z
  .object({
    /** The name the model calls. */
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/).default('image'),
    /** Operations the model may use. */
    ops: z.array(z.enum(OPS)).min(1).default([...OPS]),
    /** Default unit of boxes: `pixel` of the image operated on, or `normalized` to [0, 1]. */
    units: z.enum(['pixel', 'normalized']).default('pixel'),
    /** Images one trajectory may create; later calls are refused. */
    maxImages: z.number().int().min(1).default(32),
    /** Largest output of a zoom, in pixels. */
    maxOutputPixels: z.number().int().min(1).default(2048 * 2048),
    /** Coverage of an evidence box at which a region counts as containing it (CodeV: the crop holds the evidence). */
    evidenceThreshold: z.number().gt(0).max(1).default(1),
    /** Colour of grid lines and drawn boxes (any SVG colour). */
    color: z.string().regex(/^(#[0-9a-fA-F]{3,8}|[a-z]+)$/).default('#ff0000'),
    lineWidth: z.number().min(1).max(20).default(2),
    /** Return each result image in `images` (8-bit RGB) so a vision-language policy sees it; text-only policies ignore it. */
    showImages: z.boolean().default(true),
  })
  .strict();

const imageRef = z.string().regex(/^img\d+$/).optional().describe('Image id (img0 = the original, the default)');
const boxArg = z.array(z.number()).length(4).describe('[x1, y1, x2, y2], x right, y down');
const unitsArg = z.enum(['pixel', 'normalized']).optional().describe('Units of the box numbers');

function argsSchema(allowed: readonly OpName[]) {
  const variants = {
    crop: z.object({ op: z.literal('crop'), image: imageRef, box: boxArg, units: unitsArg }).strict(),
    zoom: z
      .object({ op: z.literal('zoom'), image: imageRef, box: boxArg, units: unitsArg, scale: z.number().min(1).max(8).default(2) })
      .strict(),
    rotate: z.object({ op: z.literal('rotate'), image: imageRef, degrees: z.union([z.literal(90), z.literal(180), z.literal(270)]) }).strict(),
    flip: z.object({ op: z.literal('flip'), image: imageRef, axis: z.enum(['horizontal', 'vertical']) }).strict(),
    adjust: z
      .object({
        op: z.literal('adjust'),
        image: imageRef,
        contrast: z.number().min(0.1).max(10).default(1),
        brightness: z.number().min(0.1).max(10).default(1),
      })
      .strict(),
    grid: z
      .object({ op: z.literal('grid'), image: imageRef, rows: z.number().int().min(1).max(32), cols: z.number().int().min(1).max(32) })
      .strict(),
    draw_boxes: z
      .object({ op: z.literal('draw_boxes'), image: imageRef, boxes: z.array(boxArg).min(1).max(64), units: unitsArg })
      .strict(),
  };
  const chosen = allowed.map((op) => variants[op]);
  return z.discriminatedUnion('op', chosen as unknown as [typeof variants.crop, ...(typeof variants.crop)[]]);
}

type Args = { op: OpName; image?: string; [key: string]: unknown };

/**
 * `tool/image`: image operations for visual agents, one tool with an `op` argument. Images are kept per
 * trajectory by id (img0 = `sample.meta.image`); every result is a new image whose `data.region` is the box
 * of the original it shows, and whose `evidence` compares that region with `sample.meta.evidenceBoxes`.
 */
export const imageTool = definePlugin({
  kind: 'tool',
  name: 'image',
  summary: 'Image operations (crop, zoom, rotate, flip, adjust, grid, draw boxes) with regions and evidence checks',
  paper: {
    title: 'CodeV: Code with Images for Faithful Visual Reasoning via Tool-Aware Policy Optimization',
    arxiv: '2511.19661',
    section: 'tool reward: does the crop contain the queried evidence',
  },
  options,
  create(o): Tool {
    const args = argsSchema(o.ops);
    const sessions = new ImageSessions();

    const session = async (ctx: ToolContext): Promise<StoredImage[] | ToolResult> => {
      const existing = sessions.get(ctx.trajectoryId);
      if (existing) return existing;
      const source = ctx.sample?.meta?.image;
      if (source === undefined) return toolFailure(o.name, 'no-image', 'this task has no image (sample.meta.image is not set)');
      try {
        const loaded = await loadSampleImage(source);
        // A concurrent first call of the same trajectory may have loaded it meanwhile.
        return sessions.get(ctx.trajectoryId) ?? sessions.start(ctx.trajectoryId, { ...loaded, toOriginal: [1, 0, 0, 0, 1, 0], origin: 'original' });
      } catch (error) {
        return toolFailure(o.name, 'no-image', `the task's image cannot be read (${errorMessage(error)})`);
      }
    };

    const pixelBox = (raw: readonly number[], units: string, image: StoredImage): { box: Box; note: string } | string => {
      const scaled = units === 'normalized' ? [raw[0] * image.width, raw[1] * image.height, raw[2] * image.width, raw[3] * image.height] : raw;
      const check = checkBox(scaled, image.width, image.height);
      if (!check.ok) return `${check.reason} (${image.id} is ${image.width}×${image.height} pixels${units === 'normalized' ? ', box given normalized' : ''})`;
      const box = toPixels(check.box);
      return { box, note: check.clamped ? ` (box clamped to the image: [${box.join(', ')}])` : '' };
    };

    const run = async (a: Args, input: StoredImage): Promise<{ output: ops.OpOutput; note: string } | string> => {
      const units = (a.units as string | undefined) ?? o.units;
      switch (a.op) {
        case 'crop':
        case 'zoom': {
          const checked = pixelBox(a.box as number[], units, input);
          if (typeof checked === 'string') return checked;
          if (a.op === 'crop') return { output: await ops.crop(input, checked.box), note: checked.note };
          const [x1, y1, x2, y2] = checked.box;
          const scale = a.scale as number;
          const pixels = Math.round((x2 - x1) * scale) * Math.round((y2 - y1) * scale);
          if (pixels > o.maxOutputPixels) return `zoom output ${pixels} pixels exceeds the limit of ${o.maxOutputPixels}; use a smaller box or scale`;
          return { output: await ops.zoom(input, checked.box, scale), note: checked.note };
        }
        case 'rotate':
          return { output: await ops.rotate(input, a.degrees as 90 | 180 | 270), note: '' };
        case 'flip':
          return { output: await ops.flip(input, a.axis as 'horizontal' | 'vertical'), note: '' };
        case 'adjust':
          return { output: await ops.adjust(input, a.contrast as number, a.brightness as number), note: '' };
        case 'grid':
          return { output: await ops.grid(input, a.rows as number, a.cols as number, o.color, o.lineWidth), note: '' };
        case 'draw_boxes': {
          const boxes: Box[] = [];
          for (const raw of a.boxes as number[][]) {
            const checked = pixelBox(raw, units, input);
            if (typeof checked === 'string') return checked;
            boxes.push(checked.box);
          }
          return { output: await ops.drawBoxes(input, boxes, o.color, o.lineWidth), note: '' };
        }
      }
    };

    return {
      name: o.name,
      description: `Operate on the task image: ${o.ops.join(', ')}. Each result is a new image id (img1, img2, ...); boxes are [x1, y1, x2, y2] in ${o.units} units of the image operated on.`,
      parameters: toolArgumentsSchema(args),
      call: (raw, ctx) =>
        guardedToolCall(o.name, ctx, async (): Promise<ToolResult> => {
          const parsed = parseToolArgs(o.name, args, raw);
          if (!parsed.ok) return parsed.result;
          const a = parsed.value as Args;
          const images = await session(ctx);
          if (!Array.isArray(images)) return images;
          const input = images.find((image) => image.id === (a.image ?? 'img0'));
          if (!input) return toolFailure(o.name, 'not-found', `no image "${a.image}"; this task has ${images.map((i) => i.id).join(', ')}`);
          if (images.length > o.maxImages) {
            return toolFailure(o.name, 'refused', `the limit of ${o.maxImages} images for this task is reached; work with the images you have`);
          }
          const done = await run(a, input);
          if (typeof done === 'string') return toolFailure(o.name, 'bad-box', done);
          const { output, note } = done;
          const stored = sessions.add(ctx.trajectoryId, {
            png: output.png,
            width: output.width,
            height: output.height,
            toOriginal: ops.toOriginal(input, output),
            origin: `${a.op} of ${input.id}`,
          });
          const region = mappedRegion(stored.toOriginal, stored.width, stored.height);
          const evidence = evidenceFor(region, ctx.sample?.meta?.evidenceBoxes, o.evidenceThreshold);
          const observation =
            `${stored.id} = ${stored.origin}: ${stored.width}×${stored.height} pixels, showing [${region.map(round2).join(', ')}] of the original image${note}`;
          const data = { imageId: stored.id, parent: input.id, op: a.op, width: stored.width, height: stored.height, region, mimeType: 'image/png', png: stored.png };
          const shown = o.showImages ? { images: [await rgbImageOf(stored.png)] } : {};
          return evidence ? { ok: true, observation, data, evidence, ...shown } : { ok: true, observation, data, ...shown };
        }),
      release(trajectoryId) {
        sessions.release(trajectoryId);
      },
      dispose() {
        sessions.clear();
      },
    };
  },
});

/** A PNG as the 8-bit RGB image a vision-language policy reads (alpha dropped). */
export async function rgbImageOf(png: Buffer): Promise<SegmentImage> {
  const { data, info } = await sharp(png).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return segmentImage(info.width, info.height, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
