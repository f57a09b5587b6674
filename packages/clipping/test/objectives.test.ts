import type { PolicyObjective } from '@tirl/core';
import { expectNoLeaks, runFixtures } from '@tirl/core/testing';
import { cispo, clipCov, gmpo, gspo, hapo, ppoClip, sapo } from '../src';
import { disposeInput, instantiate, objectiveFixtureRunner, objectiveInput } from './helpers';
import { objectiveFixtures } from './objective-cases';

for (const { def, file } of objectiveFixtures) {
  runFixtures(`${def.id} fixtures`, file, objectiveFixtureRunner(def), 1e-5);
}

describe('declared aggregations', () => {
  it.each([
    [gspo.id, gspo, 'seq-mean-token-mean'],
    [gmpo.id, gmpo, 'seq-mean-token-mean'],
    [sapo.id, sapo, 'seq-mean-token-mean'],
    [ppoClip.id, ppoClip, undefined],
    [cispo.id, cispo, undefined],
  ])('%s declares %s', (_id, def, expected) => {
    expect(instantiate<PolicyObjective>(def).requiredAggregation).toBe(expected);
  });
});

describe('objective inputs', () => {
  it('hapo names the missing entropies', () => {
    const input = objectiveInput({ logProbs: [[-1]], oldLogProbs: [[-1]], advantages: [[1]], lossMask: [[1]] });
    expect(() => instantiate<PolicyObjective>(hapo).perToken(input)).toThrow(/objective\/hapo needs entropies/);
    disposeInput(input);
  });

  it('clip-cov draws reproducibly from its seeded stream and its state round-trips', () => {
    // Five tokens with cov 4.5 in (1, 5) would all be candidates; ratio 0.4 → ⌊0.4·10⌋ = 4 of them are detached.
    const c = {
      options: { ratio: 0.4 },
      logProbs: [[0, 0, 0, 0, 0, -3, -3, -3, -3, -3]],
      oldLogProbs: [[0, 0, 0, 0, 0, -3, -3, -3, -3, -3]],
      advantages: [[1, 1, 1, 1, 1, -1, -1, -1, -1, -1]],
      lossMask: [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]],
    };
    const run = (objective: PolicyObjective) => {
      const input = objectiveInput(c);
      const out = objective.perToken(input);
      const values = Array.from(out.perToken.dataSync());
      out.perToken.dispose();
      disposeInput(input);
      return values;
    };
    const a = instantiate<PolicyObjective>(clipCov, c.options, 7);
    const b = instantiate<PolicyObjective>(clipCov, c.options, 7);
    const first = run(a);
    expect(first).toEqual(run(b));
    // cov = (±1)(ℓ + 1.5) = 1.5 for all ten tokens; 4 detached, the others keep L = −A.
    expect(first.filter((v) => v === 0)).toHaveLength(4);
    const saved = a.state!();
    const next = run(a);
    a.loadState!(saved);
    expect(run(a)).toEqual(next);
  });

  it('no objective leaks tensors', async () => {
    const c = {
      logProbs: [[-0.5, -2, 3]],
      oldLogProbs: [[-1, -1, -1]],
      advantages: [[1, -1, 2]],
      lossMask: [[1, 1, 0]],
      entropies: [[0.5, 1.5, 9]],
      rolloutLogProbs: [[-1.2, -0.8, 0]],
    };
    for (const { def } of objectiveFixtures) {
      const objective = instantiate<PolicyObjective>(def, def === ppoClip ? { rolloutCorrection: { mode: 'token-truncate' } } : {});
      const input = objectiveInput(c);
      await expectNoLeaks(() => objective.perToken(input).perToken.dispose(), def.id);
      disposeInput(input);
    }
  });
});
