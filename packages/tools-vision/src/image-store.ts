import sharp from 'sharp';
import type { Affine } from './geometry/affine';

/** One image a trajectory can refer to by id. */
export interface StoredImage {
  id: string;
  png: Buffer;
  width: number;
  height: number;
  /** Maps this image's pixel coordinates to the original image's. */
  toOriginal: Affine;
  /** How it was made: `original`, or `crop of img0`, ... */
  origin: string;
}

/** Images per trajectory: `img0` is the sample's image, each operation adds `img1`, `img2`, ... */
export class ImageSessions {
  private readonly sessions = new Map<string, StoredImage[]>();

  get(trajectoryId: string): StoredImage[] | undefined {
    return this.sessions.get(trajectoryId);
  }

  start(trajectoryId: string, original: Omit<StoredImage, 'id'>): StoredImage[] {
    const images = [{ ...original, id: 'img0' }];
    this.sessions.set(trajectoryId, images);
    return images;
  }

  add(trajectoryId: string, image: Omit<StoredImage, 'id'>): StoredImage {
    const images = this.sessions.get(trajectoryId)!;
    const stored = { ...image, id: `img${images.length}` };
    images.push(stored);
    return stored;
  }

  release(trajectoryId: string): void {
    this.sessions.delete(trajectoryId);
  }

  clear(): void {
    this.sessions.clear();
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** Decodes the sample's image (a file path, a Buffer/Uint8Array, or a data URL) to PNG with its size. */
export async function loadSampleImage(source: unknown): Promise<{ png: Buffer; width: number; height: number }> {
  let input: string | Buffer;
  if (typeof source === 'string') {
    const dataUrl = /^data:image\/[a-z+]+;base64,(.*)$/s.exec(source);
    input = dataUrl ? Buffer.from(dataUrl[1], 'base64') : source;
  } else if (source instanceof Uint8Array) {
    input = Buffer.from(source);
  } else {
    throw new Error('sample.meta.image must be a file path, a data URL or a Buffer');
  }
  const { data, info } = await sharp(input).rotate().png().toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}
