import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, type Trajectory } from '@tirl/core';
import { makeTrajectory } from '@tirl/core/testing';
import { zeroMaskedRows } from '../src';

const masked = (t: Trajectory): Trajectory => ({ ...t, meta: { masked: true, maskReason: 'test' } });

describe('zeroMaskedRows', () => {
  // Two planners p0, p1, each with one worker; every trained token carries advantage 1 (row index + 1 to tell rows apart).
  const rows = (): Trajectory[] => [
    makeTrajectory({ id: 'p0', segments: [['prompt', 1], ['policy', 2]] }),
    makeTrajectory({ id: 'p0.c0', parentId: 'p0', rootId: 'p0', segments: [['prompt', 1], ['policy', 2]] }),
    makeTrajectory({ id: 'p1', segments: [['prompt', 1], ['policy', 2]] }),
    makeTrajectory({ id: 'p1.c0', parentId: 'p1', rootId: 'p1', segments: [['prompt', 1], ['policy', 2]] }),
  ];
  const advantagesOf = (b: number) => tf.tensor2d([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4].slice(0, b * 3), [b, 3]);

  it('a masked planner masks its workers too; the other rollout keeps its advantages', () => {
    const ts = rows();
    ts[0] = masked(ts[0]);
    const batch = buildBatch(ts);
    const out = zeroMaskedRows(batch, advantagesOf(4));
    expect(out.arraySync()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [3, 3, 3],
      [4, 4, 4],
    ]);
    out.dispose();
    batch.dispose();
  });

  it('a masked worker masks only itself', () => {
    const ts = rows();
    ts[3] = masked(ts[3]);
    const batch = buildBatch(ts, { padRowsTo: 5 });
    const out = zeroMaskedRows(batch, tf.concat([advantagesOf(4), tf.zeros([1, 3])]) as tf.Tensor2D);
    expect(out.arraySync()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
      [3, 3, 3],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    out.dispose();
    batch.dispose();
  });

  it('returns the same tensor when nothing is masked', () => {
    const batch = buildBatch(rows());
    const a = advantagesOf(4);
    expect(zeroMaskedRows(batch, a)).toBe(a);
    a.dispose();
    batch.dispose();
  });
});
