import { clusteredStandardError, formatMeanStd, meanStd, parseSeeds } from '../src/rl/seed-stats';
import { formatComparisonSeedTable, formatSeedTable } from '../src/seeds';
import type { Summary } from '../src/report';

const summary = (accuracy: number): Summary => ({
  accuracy,
  accuracyStdErr: 0,
  greedyAccuracy: accuracy,
  toolCallsPerAnswer: 1,
  invalidToolCallsPerAnswer: 0,
  faithfulToolUse: 1,
  toolCallsEasy: NaN,
  toolCallsHard: 1,
  answers: 128,
});

describe('seed statistics', () => {
  it('mean ± sample std, derived by hand', () => {
    // 1..5: mean 3; squared deviations 4+1+0+1+4 = 10; sample variance 10/4 = 2.5; std √2.5 = 1.5811388.
    const five = meanStd([1, 2, 3, 4, 5]);
    expect(five.mean).toBe(3);
    expect(five.std).toBeCloseTo(1.5811388, 7);
    expect(five.n).toBe(5);
    // Two values a, b: mean (a+b)/2; sample std |a−b|/√2. The README's two seeds: +0.672 and −0.125 →
    // mean 0.2735, std 0.797/1.4142136 = 0.5635641.
    const two = meanStd([0.672, -0.125]);
    expect(two.mean).toBeCloseTo(0.2735, 12);
    expect(two.std).toBeCloseTo(0.5635641, 7);
    expect(meanStd([0.4])).toEqual({ mean: 0.4, std: 0, n: 1 });
    expect(() => meanStd([])).toThrow(/no values/);
    expect(formatMeanStd({ mean: 0.2735, std: 0.5635686 })).toBe('+0.274 ± 0.564');
    expect(formatMeanStd({ mean: -0.05, std: 0.01 })).toBe('-0.050 ± 0.010');
    expect(formatMeanStd({ mean: -1e-17, std: 0 })).toBe('+0.000 ± 0.000');
  });

  it('standard error of a sampled accuracy with repeated rollouts per question', () => {
    // Per-question means 1, 0.5, 0: mean 0.5, sample std √((0.25+0+0.25)/2) = 0.5, over √3 questions → 0.2886751.
    const se = clusteredStandardError(new Map([['q1', [1, 1]], ['q2', [0, 1]], ['q3', [0, 0]]]));
    expect(se).toBeCloseTo(0.5 / Math.sqrt(3), 12);
    expect(se).toBeCloseTo(0.2886751, 7);
    expect(clusteredStandardError(new Map([['q1', [1, 0]]]))).toBe(0);
  });

  it('parses --seeds and names what is wrong', () => {
    expect(parseSeeds('1,2,3,4,5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseSeeds(' 7 , 3')).toEqual([7, 3]);
    expect(() => parseSeeds('1,x')).toThrow('--seeds takes comma-separated non-negative integers such as 1,2,3, got "1,x" ("x")');
    expect(() => parseSeeds('1,,2')).toThrow(/\(""\)/);
    expect(() => parseSeeds('1.5')).toThrow(/"1.5"/);
    expect(() => parseSeeds('2,2')).toThrow('--seeds lists a seed twice: "2,2"');
  });

  it('per-seed table: gains, mean ± std, the lowest gain and how many seeds lost', () => {
    const table = formatSeedTable([
      { seed: 1, before: summary(0.1), after: summary(0.8), keptStep: 100 },
      { seed: 2, before: summary(0.9), after: summary(0.9), keptStep: 0 },
      { seed: 3, before: summary(0.5), after: summary(0.4), keptStep: 20 },
    ]);
    // Gains 0.7, 0, −0.1: mean 0.2; deviations 0.5, −0.2, −0.3 → squares 0.25+0.04+0.09 = 0.38; /2 = 0.19;
    // std √0.19 = 0.4358899. SFT only: 0.1, 0.9, 0.5 → mean 0.5, std √((0.16+0.16+0)/2) = 0.4.
    // SFT + RL: 0.8, 0.9, 0.4 → mean 0.7, std √((0.01+0.04+0.09)/2) = √0.07 = 0.2645751.
    expect(table.split('\n')).toEqual([
      'seed    SFT only  SFT + RL   RL gain  kept step',
      '1          0.100     0.800    +0.700        100',
      '2          0.900     0.900    +0.000          0',
      '3          0.500     0.400    -0.100         20',
      '',
      'mean ± std (n = 3, sample std): SFT only 0.500 ± 0.400, SFT + RL 0.700 ± 0.265, RL gain +0.200 ± 0.436',
      'lowest gain -0.100 (seed 3); seeds where RL lost: 1 of 3',
    ]);
  });

  it('comparison table over seeds: both systems before and after, and the gap after RL', () => {
    const system = (b: number, a: number) => ({ before: summary(b), after: summary(a) }) as never;
    const table = formatComparisonSeedTable([
      { seed: 1, result: { single: system(0.2, 0.5), matpo: system(0.3, 0.7) } },
      { seed: 2, result: { single: system(0.4, 0.5), matpo: system(0.1, 0.3) } },
    ]);
    // Gap matpo − single after RL: +0.2 and −0.2 → mean 0, std 0.4/√2 = 0.2828427.
    // Gains: single 0.3, 0.1 → +0.2 ± 0.1414214; MATPO 0.4, 0.2 → +0.3 ± 0.1414214.
    expect(table.split('\n')).toEqual([
      'seed      single SFT    single +RL     matpo SFT     matpo +RL  matpo−single',
      '1              0.200         0.500         0.300         0.700        +0.200',
      '2              0.400         0.500         0.100         0.300        -0.200',
      'mean           0.300         0.500         0.200         0.500        +0.000',
      'std            0.141         0.000         0.141         0.283         0.283',
      '',
      'RL gain, mean ± std over 2 seeds (sample std): single +0.200 ± 0.141, MATPO +0.300 ± 0.141',
    ]);
  });
});
