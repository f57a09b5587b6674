import fc from 'fast-check';
import { buildBatch, countBatch, rowsByRoot, sliceRows, type SegmentSource, type Trajectory } from '../src';
import { expectNoLeaks, makeTrajectory } from '../src/testing';

const sources: SegmentSource[] = ['prompt', 'policy', 'tool', 'injected'];
const segmentList = fc.array(fc.tuple(fc.constantFrom(...sources), fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 8 });

describe('buildBatch', () => {
  it('loss mask covers exactly the policy segments, for any random segment list', () => {
    fc.assert(
      fc.property(fc.array(segmentList, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 3 }), (rows, extraPad) => {
        const trajectories = rows.map((segments, i) => makeTrajectory({ id: `t${i}`, segments, logProb: -0.5 }));
        const batch = buildBatch(trajectories, { padRowsTo: rows.length + extraPad });
        const [B, T] = batch.ids.shape;
        const mask = batch.lossMask.arraySync();
        const old = batch.oldLogProbs.arraySync();
        const attention = batch.attentionMask.arraySync();
        rows.forEach((segments, b) => {
          const expected = segments.flatMap(([source, n]) => new Array(n).fill(source === 'policy' ? 1 : 0));
          expect(mask[b]).toEqual([...expected, ...new Array(T - expected.length).fill(0)]);
          expect(old[b]).toEqual(mask[b].map((m) => (m ? -0.5 : 0)));
          expect(attention[b].reduce((s, x) => s + x, 0)).toBe(expected.length);
        });
        for (let b = rows.length; b < B; b++) {
          expect(mask[b].every((x) => x === 0) && attention[b].every((x) => x === 0)).toBe(true);
          expect(batch.ids.arraySync()[b].every((x) => x === 0)).toBe(true);
          expect([batch.groupIds[b], batch.rootIds[b], batch.rowKinds[b]]).toEqual([-1, -1, 'pad']);
        }
        batch.dispose();
      }),
      { numRuns: 60 },
    );
  });

  it('masks a shared prefix owned by another row, and numbers groups and roots densely', () => {
    const root = makeTrajectory({ id: 'r', groupId: 'g1', segments: [['prompt', 2], ['policy', 3]] });
    const worker: Trajectory = { ...makeTrajectory({ id: 'w', groupId: 'g1', parentId: 'r', segments: [['prompt', 1], ['policy', 2]] }) };
    const sibling: Trajectory = { ...makeTrajectory({ id: 's', groupId: 'g2', segments: [['prompt', 2], ['policy', 3]] }), sharedPrefixLength: 3 };
    const batch = buildBatch([root, worker, sibling]);
    expect(batch.lossMask.arraySync()).toEqual([
      [0, 0, 1, 1, 1],
      [0, 1, 1, 0, 0],
      [0, 0, 0, 1, 1],
    ]);
    expect(Array.from(batch.groupIds)).toEqual([0, 0, 1]);
    expect(Array.from(batch.rootIds)).toEqual([0, 0, 1]);
    expect(batch.rowKinds).toEqual(['root', 'child', 'root']);
    expect(rowsByRoot(batch)).toEqual([[0, 1], [2]]);
    batch.dispose();
  });

  it('rejects policy segments without matching log-probs, naming the trajectory', () => {
    const bad = makeTrajectory({ id: 'bad', segments: [['policy', 2]] });
    bad.segments[0].logProbs = [-1];
    expect(() => buildBatch([bad])).toThrow('buildBatch: trajectory "bad" has a policy segment of 2 tokens with 1 behaviour log-probs');
  });

  it('counts tokens per root globally, and micro-batch slices keep global ids', async () => {
    const ts = [
      makeTrajectory({ id: 'a', segments: [['policy', 2]] }),
      makeTrajectory({ id: 'b', parentId: 'a', segments: [['prompt', 1], ['policy', 3]] }),
      makeTrajectory({ id: 'c', segments: [['policy', 1]] }),
    ];
    const batch = buildBatch(ts, { padRowsTo: 4 });
    const counts = countBatch(batch.lossMaskValues, [4, 4], batch.rowKinds, batch.rootIds);
    expect(counts.tokens).toBe(6);
    expect(counts.sequences).toBe(3);
    expect(counts.roots).toBe(2);
    expect([...counts.tokensPerRoot]).toEqual([
      [0, 5],
      [1, 1],
    ]);
    await expectNoLeaks(() => {
      const micro = sliceRows(batch, [2, 3]);
      expect(Array.from(micro.rootIds)).toEqual([1, -1]);
      expect(micro.lossMask.arraySync()).toEqual([
        [1, 0, 0, 0],
        [0, 0, 0, 0],
      ]);
      micro.dispose();
    });
    batch.dispose();
  });
});
