import { entropyTemperatureStats } from '../src';

/**
 * HAPO worked example (method notes §4, by hand): H = [0.1, 0.5, 1.0, 2.0], pivot 0.8, T = 1, τ = 0.05.
 * e = log H = [−2.302585, −0.693147, 0, 0.693147]; med = sorted e[round(0.8·3) = 2] = 0;
 * std = sqrt((5.301898 + 0.480453 + 0 + 0.480453)/4) = sqrt(1.565701) = 1.251280; h = e/std = [−1.840184, −0.553951, 0, 0.553951].
 * Paper branch: scaleNeg = 1/1.840184; released-code branch: 1/(−1.840184); scalePos = 1/0.553951.
 */
describe('HAPO adaptive temperature statistics', () => {
  const H = [0.1, 0.5, 1.0, 2.0];
  it('statistics of the previous step', () => {
    const s = entropyTemperatureStats(H, 0.8, 0.05, 'paper')!;
    expect(s.med).toBeCloseTo(0, 10);
    expect(s.std).toBeCloseTo(1.25128, 5);
    expect(s.scalePos).toBeCloseTo(1 / 0.553951, 4);
    expect(s.scaleNeg).toBeCloseTo(1 / 1.840184, 4);
    expect(entropyTemperatureStats(H, 0.8, 0.05, 'code')!.scaleNeg).toBeCloseTo(-1 / 1.840184, 4);
  });

});
