import sharp from 'sharp';
import { compose, type Affine } from '../geometry/affine';
import type { Box } from '../geometry/boxes';
import type { StoredImage } from '../image-store';

/** The result of an operation on one image: the new pixels and the map from them to the input's pixels. */
export interface OpOutput {
  png: Buffer;
  width: number;
  height: number;
  /** New image's coordinates → input image's coordinates. */
  toInput: Affine;
}

async function finish(pipeline: ReturnType<typeof sharp>, toInput: Affine): Promise<OpOutput> {
  const { data, info } = await pipeline.png().toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height, toInput };
}

/** Cuts out `box` (whole pixels) of the input. */
export function crop(image: StoredImage, box: Box): Promise<OpOutput> {
  const [x1, y1, x2, y2] = box;
  return finish(sharp(image.png).extract({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 }), [1, 0, x1, 0, 1, y1]);
}

/** Cuts out `box` and enlarges it by `scale` (Lanczos). */
export function zoom(image: StoredImage, box: Box, scale: number): Promise<OpOutput> {
  const [x1, y1, x2, y2] = box;
  const width = Math.max(1, Math.round((x2 - x1) * scale));
  const height = Math.max(1, Math.round((y2 - y1) * scale));
  const pipeline = sharp(image.png)
    .extract({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' });
  return finish(pipeline, [(x2 - x1) / width, 0, x1, 0, (y2 - y1) / height, y1]);
}

/** Rotates clockwise by a multiple of 90°, so regions stay exact boxes. */
export function rotate(image: StoredImage, degrees: 90 | 180 | 270): Promise<OpOutput> {
  const { width: w, height: h } = image;
  // new (x', y') → input (x, y): 90° cw: (y', h − x'); 180°: (w − x', h − y'); 270° cw: (w − y', x').
  const maps: Record<number, Affine> = { 90: [0, 1, 0, -1, 0, h], 180: [-1, 0, w, 0, -1, h], 270: [0, -1, w, 1, 0, 0] };
  return finish(sharp(image.png).rotate(degrees), maps[degrees]);
}

/** Mirrors left–right (`horizontal`) or top–bottom (`vertical`). */
export function flip(image: StoredImage, axis: 'horizontal' | 'vertical'): Promise<OpOutput> {
  const { width: w, height: h } = image;
  return axis === 'horizontal'
    ? finish(sharp(image.png).flop(), [-1, 0, w, 0, 1, 0])
    : finish(sharp(image.png).flip(), [1, 0, 0, 0, -1, h]);
}

/** Contrast around mid-grey (`v' = c·(v − 128) + 128`) then brightness as a multiplier. */
export function adjust(image: StoredImage, contrast: number, brightness: number): Promise<OpOutput> {
  const pipeline = sharp(image.png)
    .linear(contrast, 128 * (1 - contrast))
    .modulate({ brightness });
  return finish(pipeline, [1, 0, 0, 0, 1, 0]);
}

/** Draws a `rows × cols` grid of lines over the image (cell (r, c) spans w/cols × h/rows pixels). */
export function grid(image: StoredImage, rows: number, cols: number, color: string, lineWidth: number): Promise<OpOutput> {
  const { width: w, height: h } = image;
  const lines: string[] = [];
  for (let c = 1; c < cols; c++) lines.push(line((c * w) / cols, 0, (c * w) / cols, h));
  for (let r = 1; r < rows; r++) lines.push(line(0, (r * h) / rows, w, (r * h) / rows));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" stroke="${color}" stroke-width="${lineWidth}">${lines.join('')}</svg>`;
  return finish(sharp(image.png).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]), [1, 0, 0, 0, 1, 0]);
}

/** Draws box outlines (pixel coordinates of this image). */
export function drawBoxes(image: StoredImage, boxes: readonly Box[], color: string, lineWidth: number): Promise<OpOutput> {
  const { width: w, height: h } = image;
  const rects = boxes
    .map(([x1, y1, x2, y2]) => `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}"/>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" fill="none" stroke="${color}" stroke-width="${lineWidth}">${rects}</svg>`;
  return finish(sharp(image.png).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]), [1, 0, 0, 0, 1, 0]);
}

function line(x1: number, y1: number, x2: number, y2: number): string {
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"/>`;
}

/** The new image's map to the original, given its map to the input. */
export function toOriginal(input: StoredImage, output: OpOutput): Affine {
  return compose(input.toOriginal, output.toInput);
}
