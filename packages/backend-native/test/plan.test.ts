import { planMatMul } from '../src';

describe('planMatMul', () => {
  it('broadcasts [2,1] against [1,3] batch dims: a repeats along axis 1, b along axis 0', () => {
    // a: [2,1,4,5] → matrices of 20 elements; b: [1,3,5,6] → 30 elements.
    const plan = planMatMul([2, 1, 4, 5], [1, 3, 5, 6], false, false);
    expect(plan.outShape).toEqual([2, 3, 4, 6]);
    expect(Array.from(plan.aOffsets)).toEqual([0, 0, 0, 20, 20, 20]);
    expect(Array.from(plan.bOffsets)).toEqual([0, 30, 60, 0, 30, 60]);
  });

  it('reads m, n and k through the transposes', () => {
    const plan = planMatMul([7, 3], [5, 7], true, true);
    expect([plan.m, plan.n, plan.k]).toEqual([3, 5, 7]);
  });

  it('names both shapes when inner dimensions differ', () => {
    expect(() => planMatMul([2, 3], [4, 5], false, false)).toThrow(/inner dimensions 3 and 4 of \[2,3\] and \[4,5\]/);
  });

  it('names the batch axis that does not broadcast', () => {
    expect(() => planMatMul([2, 3, 3], [4, 3, 3], false, false)).toThrow(/2 vs 4 at batch axis 0/);
  });
});
