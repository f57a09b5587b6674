/** An axis-aligned box `[x1, y1, x2, y2]` in pixels, x to the right and y down, x1 < x2, y1 < y2. */
export type Box = readonly [number, number, number, number];

export function area(box: Box): number {
  return Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
}

/** The overlap of two boxes, or undefined when they do not overlap with positive area. */
export function intersection(a: Box, b: Box): Box | undefined {
  const box: Box = [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
  return box[2] > box[0] && box[3] > box[1] ? box : undefined;
}

/** Intersection over union, in [0, 1]; 0 when either box has no area. */
export function iou(a: Box, b: Box): number {
  const overlap = intersection(a, b);
  if (!overlap) return 0;
  const shared = area(overlap);
  return shared / (area(a) + area(b) - shared);
}

/** The fraction of `target` inside `region`, in [0, 1]: 1 when the region holds the whole target. */
export function coverage(region: Box, target: Box): number {
  const overlap = intersection(region, target);
  const size = area(target);
  return overlap && size > 0 ? area(overlap) / size : 0;
}

export type BoxCheck = { ok: true; box: Box; clamped: boolean } | { ok: false; reason: string };

/**
 * Checks a box against an image of `width × height` pixels: non-finite values, inverted or zero-area boxes
 * and boxes wholly outside are rejected; boxes partly outside are clamped to the image.
 */
export function checkBox(raw: readonly number[], width: number, height: number): BoxCheck {
  if (raw.length !== 4) return { ok: false, reason: `a box has 4 numbers [x1, y1, x2, y2], got ${raw.length}` };
  if (!raw.every(Number.isFinite)) return { ok: false, reason: `box [${raw.join(', ')}] has a value that is not a finite number` };
  const [x1, y1, x2, y2] = raw;
  if (x2 <= x1 || y2 <= y1) {
    return { ok: false, reason: `box [${raw.join(', ')}] is inverted or empty: need x1 < x2 and y1 < y2` };
  }
  const box: Box = [Math.max(0, x1), Math.max(0, y1), Math.min(width, x2), Math.min(height, y2)];
  if (box[2] <= box[0] || box[3] <= box[1]) {
    return { ok: false, reason: `box [${raw.join(', ')}] lies outside the ${width}×${height} image` };
  }
  return { ok: true, box, clamped: box.some((v, i) => v !== raw[i]) };
}

/** Rounds a box outwards to whole pixels (the pixels any part of the box touches). */
export function toPixels(box: Box): Box {
  return [Math.floor(box[0]), Math.floor(box[1]), Math.ceil(box[2]), Math.ceil(box[3])];
}
