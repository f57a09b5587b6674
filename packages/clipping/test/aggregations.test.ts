import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type LossAggregation, sliceRows } from '@tirl/core';
import { expectClose, expectNoLeaks, runFixtures } from '@tirl/core/testing';
import fc from 'fast-check';
import { rootNormalised, seqMeanTokenMean, seqMeanTokenSum, seqMeanTokenSumNorm, tokenMean } from '../src';
import { countsOf, fakeBatch, instantiate } from './helpers';

const all = [tokenMean, seqMeanTokenSum, seqMeanTokenMean, seqMeanTokenSumNorm, rootNormalised];
const byName = Object.fromEntries(all.map((d) => [d.name, d]));

const sharedLoss = [
  [1, 2, 3, 9],
  [4, 5, 0, 0],
  [6, 0, 0, 0],
  [7, 7, 7, 7],
];
const sharedMask = [
  [1, 1, 1, 0],
  [1, 1, 0, 0],
  [1, 0, 0, 0],
  [0, 0, 0, 0],
];

runFixtures<{ plugin: string; options?: Record<string, unknown> }, number>(
  'aggregation fixtures',
  path.join(__dirname, 'fixtures', 'aggregations.json'),
  ({ plugin, options }) => {
    const batch = fakeBatch(sharedMask, ['root', 'child', 'root', 'pad'], [0, 0, 1, -1]);
    const perToken = tf.tensor2d(sharedLoss);
    const out = instantiate<LossAggregation>(byName[plugin], options).aggregate({ perToken, lossMask: batch.lossMask, counts: countsOf(batch), batch });
    const value = out.dataSync()[0];
    tf.dispose([out, perToken]);
    batch.dispose();
    return value;
  },
  1e-5,
);

/** A random batch: rows with 0/1 masks, a root id per row, some pad rows; losses anywhere. */
const batchArb = fc
  .record({
    T: fc.integer({ min: 1, max: 5 }),
    rows: fc.integer({ min: 1, max: 6 }),
  })
  .chain(({ T, rows }) =>
    fc.record({
      mask: fc.array(fc.array(fc.constantFrom(0, 1), { minLength: T, maxLength: T }), { minLength: rows, maxLength: rows }),
      loss: fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: T, maxLength: T }), { minLength: rows, maxLength: rows }),
      garbage: fc.array(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: T, maxLength: T }), { minLength: rows, maxLength: rows }),
      roots: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: rows, maxLength: rows }),
      pads: fc.array(fc.boolean(), { minLength: rows, maxLength: rows }),
      cut: fc.array(fc.boolean(), { minLength: rows, maxLength: rows }),
    }),
  );

function scenario(g: { mask: number[][]; loss: number[][]; roots: number[]; pads: boolean[] }) {
  const mask = g.mask.map((row, b) => (g.pads[b] ? row.map(() => 0) : row));
  const batch = fakeBatch(
    mask,
    g.pads.map((p, b) => (p ? 'pad' : b === 0 || g.roots[b] !== g.roots[b - 1] ? 'root' : 'child')),
    g.roots.map((r, b) => (g.pads[b] ? -1 : r)),
  );
  return batch;
}

describe('aggregation properties', () => {
  for (const def of all) {
    const options = def === seqMeanTokenSumNorm ? { divisor: 7 } : {};
    it(`${def.id}: the sum over micro-batches (sliceRows, global counts) equals the big-batch value`, () => {
      const agg = instantiate<LossAggregation>(def, options);
      fc.assert(
        fc.property(batchArb, (g) => {
          const batch = scenario(g);
          const counts = countsOf(batch);
          const perToken = tf.tensor2d(g.loss);
          const whole = agg.aggregate({ perToken, lossMask: batch.lossMask, counts, batch });
          const rows = g.loss.map((_, b) => b);
          const parts = [rows.filter((b) => g.cut[b]), rows.filter((b) => !g.cut[b])].filter((p) => p.length > 0);
          let sum = 0;
          for (const part of parts) {
            const micro = sliceRows(batch, part);
            const microLoss = tf.gather(perToken, part) as tf.Tensor2D;
            const value = agg.aggregate({ perToken: microLoss, lossMask: micro.lossMask, counts, batch: micro });
            sum += value.dataSync()[0];
            tf.dispose([value, microLoss]);
            micro.dispose();
          }
          expectClose(sum, whole.dataSync()[0], 1e-4);
          tf.dispose([whole, perToken]);
          batch.dispose();
        }),
        { numRuns: 60 },
      );
    });

    it(`${def.id}: values at masked positions and pad rows never change the result`, () => {
      const agg = instantiate<LossAggregation>(def, options);
      fc.assert(
        fc.property(batchArb, (g) => {
          const batch = scenario(g);
          const counts = countsOf(batch);
          const clean = tf.tensor2d(g.loss);
          const mask = batch.lossMaskValues;
          const T = g.loss[0].length;
          const dirty = tf.tensor2d(g.loss.map((row, b) => row.map((v, t) => (mask[b * T + t] > 0 ? v : g.garbage[b][t]))));
          const a = agg.aggregate({ perToken: clean, lossMask: batch.lossMask, counts, batch });
          const d = agg.aggregate({ perToken: dirty, lossMask: batch.lossMask, counts, batch });
          expect(d.dataSync()[0]).toBe(a.dataSync()[0]);
          tf.dispose([a, d, clean, dirty]);
          batch.dispose();
        }),
        { numRuns: 60 },
      );
    });
  }

  it('NaN at a masked position does not reach the loss', async () => {
    const batch = fakeBatch([[1, 0]]);
    const perToken = tf.tensor2d([[2, NaN]]);
    for (const def of all) {
      const out = await expectNoLeaks(
        () => instantiate<LossAggregation>(def).aggregate({ perToken, lossMask: batch.lossMask, counts: countsOf(batch), batch }),
        def.id,
      );
      expect(Number.isFinite(out.dataSync()[0])).toBe(true);
      out.dispose();
    }
    perToken.dispose();
    batch.dispose();
  });

  it('root-normalised names a root missing from the global counts', () => {
    const batch = fakeBatch([[1]], ['root'], [0]);
    const perToken = tf.tensor2d([[1]]);
    const counts = { ...countsOf(batch), tokensPerRoot: new Map([[5, 1]]) };
    expect(() => instantiate<LossAggregation>(rootNormalised).aggregate({ perToken, lossMask: batch.lossMask, counts, batch })).toThrow(
      /root-normalised: row 0 has root 0.*countBatch/,
    );
    perToken.dispose();
    batch.dispose();
  });
});
