import { docId } from '../src/tasks/doc-ids';

describe('docId', () => {
  it('pads every id to the width of the largest index', () => {
    // 4000 documents: indexes 0..3999, four digits.
    expect([0, 5, 42, 999, 3999].map((i) => docId('d', i, 4000))).toEqual(['d0000', 'd0005', 'd0042', 'd0999', 'd3999']);
    // 1000 documents: the largest index is 999, three digits.
    expect(docId('c', 7, 1000)).toBe('c007');
    expect(docId('t', 0, 1)).toBe('t0');
  });
});
