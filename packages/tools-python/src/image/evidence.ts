/** A box `[left, top, right, bottom]` in original-image pixels. */
export type Box = [number, number, number, number];

/** An affine map `(a, b, c, d, e, f)`: X = a·x + b·y + c, Y = d·x + e·y + f. */
export type Affine = [number, number, number, number, number, number];

/** The region of the original image a `width × height` image shows: the bounding box of its mapped corners. */
export function regionOf(width: number, height: number, t: Affine): Box {
  const [a, b, c, d, e, f] = t;
  const corners = [[0, 0], [width, 0], [0, height], [width, height]].map(([x, y]) => [a * x + b * y + c, d * x + e * y + f]);
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/**
 * The same evidence record as `tool/image` (@tirl/tools-vision) so `reward/visual-evidence` reads both:
 * best IoU and best coverage (share of one evidence box inside the region) over the sample's
 * `meta.evidenceBoxes`, `containsEvidence` = 1 when some box is covered at least `threshold`.
 */
export function evidenceFor(region: Box, rawBoxes: unknown, threshold: number): Record<string, number> | undefined {
  if (!Array.isArray(rawBoxes)) return undefined;
  const boxes = rawBoxes.filter(isBox);
  let bestIou = 0;
  let bestCoverage = 0;
  for (const box of boxes) {
    const inter = area([Math.max(region[0], box[0]), Math.max(region[1], box[1]), Math.min(region[2], box[2]), Math.min(region[3], box[3])]);
    const union = area(region) + area(box) - inter;
    bestIou = Math.max(bestIou, union > 0 ? inter / union : 0);
    bestCoverage = Math.max(bestCoverage, inter / area(box));
  }
  return {
    iou: bestIou,
    coverage: bestCoverage,
    containsEvidence: boxes.length > 0 && bestCoverage >= threshold ? 1 : 0,
    evidenceBoxes: boxes.length,
    invalidBoxes: rawBoxes.length - boxes.length,
  };
}

function area(b: Box): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

function isBox(value: unknown): value is Box {
  return Array.isArray(value) && value.length === 4 && value.every((v) => typeof v === 'number' && Number.isFinite(v)) && value[2] > value[0] && value[3] > value[1];
}
