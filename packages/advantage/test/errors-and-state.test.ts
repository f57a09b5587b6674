import { TirlError, type AdvantageTransform } from '@tirl/core';
import { dcpoSas, gae, remax, riskpoMvar, toolpo } from '../src';
import { instanceOf, runStep, type RowSpec } from './helpers';

const rows: RowSpec[] = [
  { id: 'a', segments: [['prompt', 1], ['policy', 2]], score: 1 },
  { id: 'b', segments: [['prompt', 1], ['policy', 2]], score: 0 },
];

describe('missing inputs name the origin and the fix', () => {
  it('gae without values', () => {
    expect(() => runStep(gae, instanceOf(gae), { rows })).toThrow(TirlError);
    expect(() => runStep(gae, instanceOf(gae), { rows })).toThrow(/advantage\/gae: needs `values`/);
  });

  it('remax without a greedy baseline', () => {
    expect(() => runStep(remax, instanceOf(remax), { rows })).toThrow(/advantage\/remax: trajectory "a" has no numeric meta\.baselineReward.*baselineKey/);
  });

  it('toolpo without an action reward', () => {
    expect(() => runStep(toolpo, instanceOf(toolpo), { rows })).toThrow(/advantage\/toolpo: trajectory "a" has no rewardComponents\.reward\/tool-format/);
  });

  it('dcpo-sas rejects malformed state', () => {
    expect(() => instanceOf<AdvantageTransform>(dcpoSas).loadState!({ nope: 1 })).toThrow(/dcpo-sas: loadState expects/);
  });
});

describe('stateful transforms resume from a checkpoint exactly', () => {
  const steps: RowSpec[][] = [
    [
      { id: 'a', sample: 'q', segments: [['prompt', 1], ['policy', 1]], score: 1 },
      { id: 'b', sample: 'q', segments: [['prompt', 1], ['policy', 1]], score: 0 },
      { id: 'c', sample: 'q', segments: [['prompt', 1], ['policy', 1]], score: 0 },
    ],
    [
      { id: 'd', sample: 'q', segments: [['prompt', 1], ['policy', 1]], score: 1 },
      { id: 'e', sample: 'q', segments: [['prompt', 1], ['policy', 1]], score: 1 },
      { id: 'f', sample: 'q', segments: [['prompt', 1], ['policy', 1]], score: 0 },
    ],
  ];

  it.each([dcpoSas, riskpoMvar].map((d) => [d.id, d] as const))('%s', (_id, def) => {
    const options = def === riskpoMvar ? { bundleSize: 1 } : {};
    const straight = instanceOf<AdvantageTransform>(def, options);
    runStep(def, straight, { rows: steps[0] });
    const expected = runStep(def, straight, { rows: steps[1] });

    const first = instanceOf<AdvantageTransform>(def, options);
    runStep(def, first, { rows: steps[0] });
    const resumed = instanceOf<AdvantageTransform>(def, options);
    resumed.loadState!(JSON.parse(JSON.stringify(first.state!())));
    expect(runStep(def, resumed, { rows: steps[1] })).toEqual(expected);

    // and the state matters: a fresh instance gives a different second step
    expect(runStep(def, instanceOf<AdvantageTransform>(def, options), { rows: steps[1] })).not.toEqual(expected);
  });
});
