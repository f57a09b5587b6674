import * as tf from '@tensorflow/tfjs-core';
import type { PolicyObjective, Regularizer } from '@tirl/core';
import { expectNoLeaks } from '@tirl/core/testing';
import fc from 'fast-check';
import { bapo, cispo, clipCov, dcpo, entropy, gmpo, gspo, hapo, kl, klCov, llds, ppoClip, reinforce, sapo } from '../src';
import { disposeInput, instantiate, type ObjectiveCase, objectiveInput, plainMetrics } from './helpers';

type Producer = { perToken(input: ReturnType<typeof objectiveInput>): { perToken: tf.Tensor2D; metrics?: Record<string, tf.Scalar | number> } };

const subjects: [string, () => Producer][] = [
  ['objective/ppo-clip (dual clip, token TIS)', () => instantiate<PolicyObjective>(ppoClip, { dualClipC: 3, rolloutCorrection: { mode: 'token-truncate', max: 2 } })],
  ['objective/ppo-clip (sequence MIS)', () => instantiate<PolicyObjective>(ppoClip, { rolloutCorrection: { mode: 'sequence-mask', max: 2 } })],
  ['objective/gspo', () => instantiate<PolicyObjective>(gspo, { epsLow: 0.1, epsHigh: 0.1 })],
  ['objective/gmpo', () => instantiate<PolicyObjective>(gmpo)],
  ['objective/cispo', () => instantiate<PolicyObjective>(cispo)],
  ['objective/sapo', () => instantiate<PolicyObjective>(sapo)],
  ['objective/bapo', () => instantiate<PolicyObjective>(bapo)],
  ['objective/dcpo', () => instantiate<PolicyObjective>(dcpo)],
  ['objective/clip-cov', () => instantiate<PolicyObjective>(clipCov, { ratio: 0.3, lowerBound: -10, upperBound: 10 }, 3)],
  ['objective/kl-cov', () => instantiate<PolicyObjective>(klCov, { ratio: 0.3 })],
  ['objective/hapo', () => instantiate<PolicyObjective>(hapo)],
  ['objective/reinforce', () => instantiate<PolicyObjective>(reinforce)],
  ['objective/reinforce (importance-sampled)', () => instantiate<PolicyObjective>(reinforce, { importanceSampling: true })],
  ['regularizer/kl (k3+)', () => instantiate<Regularizer>(kl, { estimator: 'k3+' }) as Producer],
  ['regularizer/entropy', () => instantiate<Regularizer>(entropy, { coef: 0.1 }) as Producer],
  ['regularizer/llds', () => instantiate<Regularizer>(llds, { preserve: 'all' }) as Producer],
];

const matrix = (B: number, T: number, min: number, max: number) =>
  fc.array(fc.array(fc.double({ min, max, noNaN: true }), { minLength: T, maxLength: T }), { minLength: B, maxLength: B });

/** Random inputs, a random mask (with pad rows), and a second copy with other values at every masked position. */
const caseArb = fc
  .record({ B: fc.integer({ min: 1, max: 4 }), T: fc.integer({ min: 1, max: 5 }) })
  .chain(({ B, T }) =>
    fc.record({
      mask: fc.array(fc.array(fc.constantFrom(0, 1, 1), { minLength: T, maxLength: T }), { minLength: B, maxLength: B }),
      pads: fc.array(fc.boolean(), { minLength: B, maxLength: B }),
      logProbs: matrix(B, T, -4, -0.01),
      oldLogProbs: matrix(B, T, -4, -0.01),
      rolloutLogProbs: matrix(B, T, -4, -0.01),
      refLogProbs: matrix(B, T, -4, -0.01),
      advantages: matrix(B, T, -3, 3),
      entropies: matrix(B, T, 0.01, 3),
      garbage: matrix(B, T, -60, 60),
    }),
  );

function run(make: () => Producer, c: ObjectiveCase) {
  const input = objectiveInput(c);
  const out = make().perToken(input);
  const result = { perToken: Array.from(out.perToken.dataSync()), metrics: plainMetrics(out.metrics) };
  out.perToken.dispose();
  disposeInput(input);
  return result;
}

describe('values at masked positions never change any output', () => {
  for (const [name, make] of subjects) {
    it(name, async () => {
      await expectNoLeaks(() =>
        fc.assert(
          fc.property(caseArb, (g) => {
            const valid = (b: number, t: number) => !g.pads[b] && g.mask[b][t] === 1;
            const rowKinds = g.pads.map((p) => (p ? 'pad' : 'root')) as ('pad' | 'root')[];
            const base: ObjectiveCase = {
              logProbs: g.logProbs,
              oldLogProbs: g.oldLogProbs,
              rolloutLogProbs: g.rolloutLogProbs,
              refLogProbs: g.refLogProbs,
              advantages: g.advantages,
              entropies: g.entropies,
              lossMask: g.mask,
              rowKinds,
            };
            const dirty = (m: number[][], shift: number) => m.map((row, b) => row.map((v, t) => (valid(b, t) ? v : g.garbage[b][t] + shift)));
            const other: ObjectiveCase = {
              ...base,
              logProbs: dirty(g.logProbs, 0),
              oldLogProbs: dirty(g.oldLogProbs, 1),
              rolloutLogProbs: dirty(g.rolloutLogProbs, 2),
              refLogProbs: dirty(g.refLogProbs, 3),
              advantages: dirty(g.advantages, 4),
              entropies: dirty(g.entropies, 5).map((row) => row.map(Math.abs)),
            };
            const a = run(make, base);
            const b = run(make, other);
            expect(b).toEqual(a);
            a.perToken.forEach((v, i) => {
              const T = g.mask[0].length;
              if (!valid(Math.floor(i / T), i % T)) expect(v === 0).toBe(true);
            });
          }),
          { numRuns: 25 },
        ),
      );
    });
  }
});
