import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { checkpointError } from '../errors';
import { checkImage, cropImage, resizeLanczos, type RgbImage } from './image';

/** The fields of `preprocessor_config.json` (Idefics3ImageProcessor) this processor reads. */
export const imageProcessorSchema = z
  .object({
    do_convert_rgb: z.boolean().default(true),
    do_resize: z.boolean().default(true),
    size: z.object({ longest_edge: z.number().int().positive() }).default({ longest_edge: 4 * 364 }),
    /** PIL resampling filter id; 1 = LANCZOS, the only one implemented (the family's default). */
    resample: z.literal(1).default(1),
    do_image_splitting: z.boolean().default(true),
    max_image_size: z.object({ longest_edge: z.number().int().positive() }).default({ longest_edge: 364 }),
    do_rescale: z.boolean().default(true),
    rescale_factor: z.number().positive().default(1 / 255),
    do_normalize: z.boolean().default(true),
    image_mean: z.array(z.number()).length(3).default([0.5, 0.5, 0.5]),
    image_std: z.array(z.number().positive()).length(3).default([0.5, 0.5, 0.5]),
    do_pad: z.boolean().default(true),
  })
  .passthrough();
export type ImageProcessorConfig = z.infer<typeof imageProcessorSchema>;

/** One image after processing: its frames (tiles then the global view) and the tile grid. */
export interface ProcessedImage {
  /** `[frames, 3, S, S]` float32, channels first. */
  pixelValues: Float32Array;
  frames: number;
  /** Side S of every frame (`max_image_size.longest_edge`). */
  size: number;
  /** Tile rows and columns; both 0 when the image was not split. */
  rows: number;
  cols: number;
}

export const IMAGE_TOKEN = '<image>';
export const FAKE_IMAGE_TOKEN = '<fake_token_around_image>';
export const GLOBAL_IMAGE_TOKEN = '<global-img>';

/**
 * The Idefics3 / SmolVLM processor (transformers' `Idefics3ImageProcessor` + `Idefics3Processor`):
 * resize the longest edge to `size.longest_edge` (even short edge), resize both sides up to multiples of
 * `max_image_size`, split into square tiles plus a global view resized to one tile, rescale by 1/255,
 * normalise with `image_mean` / `image_std`; each `<image>` in the prompt becomes
 * `<fake_token_around_image><row_r_col_c>` + `<image>`×`imageSeqLen` per tile, then the global view.
 */
export class Idefics3Processor {
  constructor(
    readonly config: ImageProcessorConfig,
    readonly imageSeqLen: number,
  ) {
    if (config.do_image_splitting && !config.do_resize) throw new Error('Idefics3Processor: do_image_splitting needs do_resize (field "do_resize")');
  }

  /** Reads `preprocessor_config.json` and `processor_config.json` (`image_seq_len`) from a model folder. */
  static load(dir: string, fallbackImageSeqLen: number): Idefics3Processor {
    const file = join(dir, 'preprocessor_config.json');
    const raw = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    const parsed = imageProcessorSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw checkpointError(file, `field "${issue.path.join('.')}": ${issue.message}`);
    }
    const procFile = join(dir, 'processor_config.json');
    const proc = existsSync(procFile) ? (JSON.parse(readFileSync(procFile, 'utf8')) as { image_seq_len?: unknown }) : {};
    const seqLen = proc.image_seq_len ?? fallbackImageSeqLen;
    if (typeof seqLen !== 'number' || !Number.isInteger(seqLen) || seqLen <= 0) throw checkpointError(procFile, `field "image_seq_len" must be a positive integer, got ${JSON.stringify(seqLen)}`);
    return new Idefics3Processor(parsed.data, seqLen);
  }

  /** Image → frames of normalised pixels and the tile grid. */
  processImage(image: RgbImage): ProcessedImage {
    checkImage(image, 'Idefics3Processor.processImage');
    const c = this.config;
    const S = c.max_image_size.longest_edge;
    let img = image;
    if (c.do_resize) {
      const [h, w] = resizeToLongest(img.height, img.width, c.size.longest_edge);
      img = resizeLanczos(img, w, h);
    }
    const frames: RgbImage[] = [];
    let rows = 0;
    let cols = 0;
    if (c.do_image_splitting) {
      const [h, w] = multiplesOf(img.height, img.width, S);
      img = resizeLanczos(img, w, h);
      if (h > S || w > S) {
        rows = Math.ceil(h / S);
        cols = Math.ceil(w / S);
        const oh = Math.ceil(h / rows);
        const ow = Math.ceil(w / cols);
        for (let r = 0; r < rows; r++) for (let col = 0; col < cols; col++) frames.push(cropImage(img, col * ow, r * oh, col * ow + ow, r * oh + oh));
        img = resizeLanczos(img, S, S);
      }
    } else {
      // without splitting the image is squared to one frame (the connector's pixel shuffle needs a square grid)
      img = resizeLanczos(img, S, S);
    }
    frames.push(img);
    for (const f of frames) {
      if (f.width !== S || f.height !== S) throw new Error(`Idefics3Processor: frame of ${f.width}×${f.height}, expected ${S}×${S}`);
    }
    const plane = S * S;
    const out = new Float32Array(frames.length * 3 * plane);
    const f32 = Math.fround;
    frames.forEach((f, i) => {
      for (let p = 0; p < plane; p++) {
        for (let ch = 0; ch < 3; ch++) {
          let v = f.data[p * 3 + ch];
          // rescale in float64 then cast (transformers' `rescale`); normalise in float32 (`normalize`)
          v = c.do_rescale ? f32(v * c.rescale_factor) : v;
          if (c.do_normalize) v = f32(f32(v - f32(c.image_mean[ch])) / f32(c.image_std[ch]));
          out[(i * 3 + ch) * plane + p] = v;
        }
      }
    });
    return { pixelValues: out, frames: frames.length, size: S, rows, cols };
  }

  /**
   * The tiles `processImage` gives an image of this size, without touching pixels: rows and columns of
   * the split (0, 0 when it is not split) and frames (tiles plus the global view). For memory plans.
   */
  grid(width: number, height: number): { rows: number; cols: number; frames: number } {
    const c = this.config;
    const S = c.max_image_size.longest_edge;
    let [h, w] = [height, width];
    if (c.do_resize) [h, w] = resizeToLongest(h, w, c.size.longest_edge);
    if (!c.do_image_splitting) return { rows: 0, cols: 0, frames: 1 };
    [h, w] = multiplesOf(h, w, S);
    if (h <= S && w <= S) return { rows: 0, cols: 0, frames: 1 };
    const rows = Math.ceil(h / S);
    const cols = Math.ceil(w / S);
    return { rows, cols, frames: rows * cols + 1 };
  }

  /** The text that stands for one processed image in the prompt. */
  imagePrompt(rows: number, cols: number): string {
    const tokens = IMAGE_TOKEN.repeat(this.imageSeqLen);
    if (rows === 0 && cols === 0) return `${FAKE_IMAGE_TOKEN}${GLOBAL_IMAGE_TOKEN}${tokens}${FAKE_IMAGE_TOKEN}`;
    let s = '';
    for (let r = 1; r <= rows; r++) {
      for (let c = 1; c <= cols; c++) s += `${FAKE_IMAGE_TOKEN}<row_${r}_col_${c}>${tokens}`;
      s += '\n';
    }
    return `${s}\n${FAKE_IMAGE_TOKEN}${GLOBAL_IMAGE_TOKEN}${tokens}${FAKE_IMAGE_TOKEN}`;
  }

  /** Replaces the i-th `<image>` of `text` with the prompt of `images[i]`; the counts must agree. */
  expandText(text: string, images: readonly Pick<ProcessedImage, 'rows' | 'cols'>[]): string {
    const parts = text.split(IMAGE_TOKEN);
    if (parts.length - 1 !== images.length) {
      throw new Error(`Idefics3Processor.expandText: the text has ${parts.length - 1} ${IMAGE_TOKEN} tokens but ${images.length} images were given; they must match`);
    }
    let out = parts[0];
    images.forEach((im, i) => (out += this.imagePrompt(im.rows, im.cols) + parts[i + 1]));
    return out;
  }

  /** Image tokens one image costs (`<image>` positions only; the frame markers are text). */
  imageTokens(processed: Pick<ProcessedImage, 'frames'>): number {
    return processed.frames * this.imageSeqLen;
  }
}

/** transformers' `_resize_output_size_rescale_to_max_len` then `_scale_below_upper_bound` (max 1820). */
export function resizeToLongest(height: number, width: number, longest: number, maxImageSize = 1820): [number, number] {
  if (longest > maxImageSize) throw new Error(`resizeToLongest: size.longest_edge ${longest} is larger than the maximum ${maxImageSize}`);
  const aspect = width / height;
  let h: number;
  let w: number;
  if (width >= height) {
    w = longest;
    h = Math.trunc(w / aspect);
    if (h % 2 !== 0) h += 1;
  } else {
    h = longest;
    w = Math.trunc(h * aspect);
    if (w % 2 !== 0) w += 1;
  }
  h = Math.max(h, 1);
  w = Math.max(w, 1);
  const a2 = w / h;
  if (w >= h && w > maxImageSize) {
    w = maxImageSize;
    h = Math.trunc(w / a2);
  } else if (h > w && h > maxImageSize) {
    h = maxImageSize;
    w = Math.trunc(h * a2);
  }
  return [Math.max(h, 1), Math.max(w, 1)];
}

/** transformers' `resize_for_vision_encoder`: both sides up to multiples of `size`, keeping the aspect. */
export function multiplesOf(height: number, width: number, size: number): [number, number] {
  const aspect = width / height;
  let h: number;
  let w: number;
  if (width >= height) {
    w = Math.ceil(width / size) * size;
    h = Math.ceil(Math.trunc(w / aspect) / size) * size;
  } else {
    h = Math.ceil(height / size) * size;
    w = Math.ceil(Math.trunc(h * aspect) / size) * size;
  }
  return [h, w];
}
