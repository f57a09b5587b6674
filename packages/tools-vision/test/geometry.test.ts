import { expectClose } from '@tirl/core/testing';
import { checkBox, compose, coverage, evidenceFor, iou, mappedRegion, type Box } from '../src';

describe('iou and coverage (hand-computed)', () => {
  it.each<[string, Box, Box, number, number]>([
    // a = [0,0,10,10] (area 100), b = [5,5,15,15] (area 100): overlap [5,5,10,10] = 25; union 175.
    ['half-shifted squares', [0, 0, 10, 10], [5, 5, 15, 15], 25 / 175, 25 / 100],
    // region 100×100 holds the 10×10 target: overlap 100, union 10000.
    ['target inside region', [0, 0, 100, 100], [10, 10, 20, 20], 100 / 10000, 1],
    // region [30,30,60,60] (900), target [20,20,40,40] (400): overlap [30,30,40,40] = 100; union 1200.
    ['partial overlap', [30, 30, 60, 60], [20, 20, 40, 40], 100 / 1200, 100 / 400],
    ['identical', [1, 2, 3, 4], [1, 2, 3, 4], 1, 1],
    ['touching edges only', [0, 0, 10, 10], [10, 0, 20, 10], 0, 0],
    ['disjoint', [0, 0, 1, 1], [5, 5, 6, 6], 0, 0],
    ['zero-area target', [0, 0, 10, 10], [2, 2, 2, 8], 0, 0],
  ])('%s', (_name, region, target, expectedIou, expectedCoverage) => {
    expectClose(iou(region, target), expectedIou, 1e-12);
    expectClose(iou(target, region), expectedIou, 1e-12);
    expectClose(coverage(region, target), expectedCoverage, 1e-12);
  });
});

describe('checkBox on a 200×100 image', () => {
  it.each([
    [[10, 20, 30, 40], { ok: true, box: [10, 20, 30, 40], clamped: false }],
    [[-5, 90, 30, 120], { ok: true, box: [0, 90, 30, 100], clamped: true }],
    [[150, 0, 400, 100], { ok: true, box: [150, 0, 200, 100], clamped: true }],
  ])('accepts %j', (raw, expected) => {
    expect(checkBox(raw, 200, 100)).toEqual(expected);
  });
  it.each([
    [[NaN, 0, 10, 10], /not a finite number/],
    [[0, 0, Infinity, 10], /not a finite number/],
    [[30, 0, 10, 10], /inverted or empty/],
    [[0, 10, 10, 10], /inverted or empty/],
    [[210, 0, 300, 50], /lies outside the 200×100 image/],
    [[-20, -20, 0, 0], /lies outside/],
    [[1, 2, 3], /4 numbers/],
  ])('rejects %j', (raw, reason) => {
    const result = checkBox(raw, 200, 100);
    expect(result.ok).toBe(false);
    expect((result as { reason: string }).reason).toMatch(reason);
  });
});

describe('affine regions', () => {
  it('maps a crop of a 2× zoom back to the original', () => {
    // zoom of [40,20,140,70] by 2: new → input (x/2 + 40, y/2 + 20); crop [10,10,50,30] of it: (x + 10, y + 10).
    const zoomMap = [0.5, 0, 40, 0, 0.5, 20] as const;
    const cropMap = [1, 0, 10, 0, 1, 10] as const;
    // crop of 40×20 → original x: (x + 10)/2 + 40 ∈ [45, 65], y: (y + 10)/2 + 20 ∈ [25, 35].
    expect(mappedRegion(compose(zoomMap, cropMap), 40, 20)).toEqual([45, 25, 65, 35]);
  });
});

describe('evidenceFor', () => {
  it('takes the best box, counts invalid ones, and applies the threshold', () => {
    // region [10,10,50,50] (1600); box A [20,20,40,40] inside: coverage 1, iou 400/1600 = 0.25;
    // box B [45,45,65,65] (400): overlap [45,45,50,50] = 25, coverage 0.0625, iou 25/1975.
    const boxes = [[20, 20, 40, 40], [45, 45, 65, 65], [5, 5, 1, 1], 'x'];
    expect(evidenceFor([10, 10, 50, 50], boxes, 1)).toEqual({ iou: 0.25, coverage: 1, containsEvidence: 1, evidenceBoxes: 2, invalidBoxes: 2 });
    const partial = evidenceFor([30, 30, 60, 60], [[20, 20, 40, 40]], 0.5)!;
    expect(partial).toEqual({ iou: 100 / 1200, coverage: 0.25, containsEvidence: 0, evidenceBoxes: 1, invalidBoxes: 0 });
    expect(evidenceFor([0, 0, 1, 1], undefined, 1)).toBeUndefined();
    expect(evidenceFor([0, 0, 1, 1], [], 1)).toEqual({ iou: 0, coverage: 0, containsEvidence: 0, evidenceBoxes: 0, invalidBoxes: 0 });
  });
});
