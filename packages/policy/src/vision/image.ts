/** An 8-bit RGB image, row-major `[height, width, 3]`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Checks dimensions and buffer length; errors name the field. */
export function checkImage(image: RgbImage, where: string): void {
  if (!Number.isInteger(image.width) || image.width <= 0) throw new Error(`${where}: image.width must be a positive integer, got ${image.width}`);
  if (!Number.isInteger(image.height) || image.height <= 0) throw new Error(`${where}: image.height must be a positive integer, got ${image.height}`);
  if (image.data.length !== image.width * image.height * 3) {
    throw new Error(`${where}: image.data holds ${image.data.length} bytes, expected width·height·3 = ${image.width * image.height * 3} (8-bit RGB, row-major)`);
  }
}

/** The rectangle `[x0, x1) × [y0, y1)` of an image (clamped to it). */
export function cropImage(image: RgbImage, x0: number, y0: number, x1: number, y1: number): RgbImage {
  const xa = Math.max(0, x0);
  const ya = Math.max(0, y0);
  const w = Math.min(image.width, x1) - xa;
  const h = Math.min(image.height, y1) - ya;
  if (w <= 0 || h <= 0) throw new Error(`cropImage: empty crop [${x0}, ${x1}) × [${y0}, ${y1}) of a ${image.width}×${image.height} image`);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) data.set(image.data.subarray(((ya + y) * image.width + xa) * 3, ((ya + y) * image.width + xa + w) * 3), y * w * 3);
  return { width: w, height: h, data };
}

// Pillow's fixed-point resampling (libImaging/Resample.c): 8-bit images are filtered with integer
// coefficients of PRECISION_BITS fractional bits, horizontal pass first, rounding at each pass.
const PRECISION_BITS = 32 - 8 - 2;
const LANCZOS_SUPPORT = 3;

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

function lanczos(x: number): number {
  return x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0;
}

interface Coeffs {
  ksize: number;
  bounds: Int32Array;
  kk: Int32Array;
}

/** Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for a resize of `inSize` → `outSize`. */
function coefficients(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = LANCZOS_SUPPORT * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    k.fill(0);
    for (let x = 0; x < xmax; x++) {
      const w = lanczos((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) if (ww !== 0) k[x] /= ww;
    for (let x = 0; x < ksize; x++) {
      const v = k[x] * (1 << PRECISION_BITS);
      kk[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v) : Math.trunc(0.5 + v);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

function clip8(v: number): number {
  if (v >= 1 << PRECISION_BITS << 8) return 255;
  if (v <= 0) return 0;
  return Math.floor(v / (1 << PRECISION_BITS));
}

/**
 * Resizes like Pillow's `Image.resize((width, height), resample=Image.LANCZOS)` on an RGB image, bit for
 * bit (the Hugging Face image processors of the Idefics3 / SmolVLM family resize through Pillow).
 */
export function resizeLanczos(image: RgbImage, width: number, height: number): RgbImage {
  checkImage(image, 'resizeLanczos');
  if (width === image.width && height === image.height) return { width, height, data: image.data.slice() };
  const half = 1 << (PRECISION_BITS - 1);
  let src = image;
  if (width !== image.width) {
    // Pillow filters only the source rows the vertical pass reads; the values are the same.
    const { ksize, bounds, kk } = coefficients(image.width, width);
    const out = new Uint8Array(width * image.height * 3);
    for (let y = 0; y < image.height; y++) {
      for (let xx = 0; xx < width; xx++) {
        const xmin = bounds[xx * 2];
        const xmax = bounds[xx * 2 + 1];
        let s0 = half;
        let s1 = half;
        let s2 = half;
        for (let x = 0; x < xmax; x++) {
          const c = kk[xx * ksize + x];
          const p = (y * image.width + x + xmin) * 3;
          s0 += image.data[p] * c;
          s1 += image.data[p + 1] * c;
          s2 += image.data[p + 2] * c;
        }
        const o = (y * width + xx) * 3;
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
      }
    }
    src = { width, height: image.height, data: out };
  }
  if (height === src.height) return src;
  const { ksize, bounds, kk } = coefficients(src.height, height);
  const out = new Uint8Array(width * height * 3);
  for (let yy = 0; yy < height; yy++) {
    const ymin = bounds[yy * 2];
    const ymax = bounds[yy * 2 + 1];
    for (let x = 0; x < width; x++) {
      let s0 = half;
      let s1 = half;
      let s2 = half;
      for (let y = 0; y < ymax; y++) {
        const c = kk[yy * ksize + y];
        const p = ((y + ymin) * width + x) * 3;
        s0 += src.data[p] * c;
        s1 += src.data[p + 1] * c;
        s2 += src.data[p + 2] * c;
      }
      const o = (yy * width + x) * 3;
      out[o] = clip8(s0);
      out[o + 1] = clip8(s1);
      out[o + 2] = clip8(s2);
    }
  }
  return { width, height, data: out };
}
