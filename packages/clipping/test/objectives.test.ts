import * as path from 'node:path';
import type { PolicyObjective } from '@tirl/core';
import { describePlugin, expectNoLeaks, runFixtures } from '@tirl/core/testing';
import { bapo, cispo, clipCov, dcpo, gmpo, gspo, hapo, klCov, ppoClip, reinforce, sapo } from '../src';
import { disposeInput, instantiate, objectiveFixtureRunner, objectiveInput } from './helpers';

const fixture = (name: string) => path.join(__dirname, 'fixtures', `${name}.json`);

const objectives = [
  { def: ppoClip, file: 'ppo-clip', invalid: [{ options: { epsLow: -0.1 }, field: 'epsLow' }, { options: { dualClipC: 0.5 }, field: 'dualClipC' }, { options: { rolloutCorrection: { mode: 'token-mask', min: 4, max: 3 } }, field: 'rolloutCorrection.max' }] },
  { def: gspo, file: 'gspo', invalid: [{ options: { ratioForm: 'seq' }, field: 'ratioForm' }] },
  { def: gmpo, file: 'gmpo', invalid: [{ options: { epsHigh: 0 }, field: 'epsHigh' }] },
  { def: cispo, file: 'cispo', invalid: [{ options: { epsHigh: -1 }, field: 'epsHigh' }] },
  { def: sapo, file: 'sapo', invalid: [{ options: { tauNeg: 0 }, field: 'tauNeg' }] },
  { def: bapo, file: 'bapo', invalid: [{ options: { highStart: 3.5 }, field: 'highStart' }, { options: { targetShare: 1 }, field: 'targetShare' }, { options: { lowMax: 1.1 }, field: 'lowMax' }] },
  { def: dcpo, file: 'dcpo', invalid: [{ options: { epsLow: 'x' }, field: 'epsLow' }] },
  { def: clipCov, file: 'clip-cov', invalid: [{ options: { lowerBound: 5, upperBound: 1 }, field: 'upperBound' }] },
  { def: klCov, file: 'kl-cov', invalid: [{ options: { ratio: 2 }, field: 'ratio' }] },
  { def: hapo, file: 'hapo', invalid: [{ options: { entropyPivot: 1.5 }, field: 'entropyPivot' }] },
  { def: reinforce, file: 'reinforce', invalid: [{ options: { importanceSampling: 'yes' }, field: 'importanceSampling' }] },
];

for (const { def, file, invalid } of objectives) {
  describePlugin(def, { invalid });
  runFixtures(`${def.id} fixtures`, fixture(file), objectiveFixtureRunner(def), 1e-5);
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
    for (const { def } of objectives) {
      const objective = instantiate<PolicyObjective>(def, def === ppoClip ? { rolloutCorrection: { mode: 'token-truncate' } } : {});
      const input = objectiveInput(c);
      await expectNoLeaks(() => objective.perToken(input).perToken.dispose(), def.id);
      disposeInput(input);
    }
  });
});
