import { coverage, iou, type Box } from './geometry/boxes';

/**
 * Evidence checks for faithful tool use (CodeV, arXiv 2511.19661): how well the region an image shows
 * (in original-image pixels) matches the ground-truth evidence boxes of the sample.
 * - `iou`: the best IoU of the region with any evidence box;
 * - `coverage`: the largest fraction of one evidence box inside the region;
 * - `containsEvidence`: 1 when some box is covered at least `threshold`, else 0;
 * - `evidenceBoxes`: how many valid boxes were checked (invalid ones are skipped and counted in `invalidBoxes`).
 */
export function evidenceFor(region: Box, rawBoxes: unknown, threshold: number): Record<string, number> | undefined {
  if (!Array.isArray(rawBoxes)) return undefined;
  const boxes = rawBoxes.filter(isBox);
  const invalidBoxes = rawBoxes.length - boxes.length;
  let bestIou = 0;
  let bestCoverage = 0;
  for (const box of boxes) {
    bestIou = Math.max(bestIou, iou(region, box));
    bestCoverage = Math.max(bestCoverage, coverage(region, box));
  }
  return {
    iou: bestIou,
    coverage: bestCoverage,
    containsEvidence: boxes.length > 0 && bestCoverage >= threshold ? 1 : 0,
    evidenceBoxes: boxes.length,
    invalidBoxes,
  };
}

function isBox(value: unknown): value is Box {
  return (
    Array.isArray(value) &&
    value.length === 4 &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    value[2] > value[0] &&
    value[3] > value[1]
  );
}
