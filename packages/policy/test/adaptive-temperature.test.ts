import { Rng } from '@tirl/core';
import { adaptiveTemperatureFor, sampleToken } from '../src';

/**
 * HAPO worked example (method notes §4, by hand): statistics of H = [0.1, 0.5, 1.0, 2.0] with pivot 0.8 are
 * med = 0, std = 1.251280, max h⁺ = 0.553951, min h⁻ = −1.840184. For a token of entropy H, h = log(H)/std:
 * paper branch ĥ = [−1, −0.553951/1.840184 = −0.301030, 0, 1] → T = 1 + 0.05·ĥ = [0.95, 0.984949, 1, 1.05];
 * the released code's negative scale gives ĥ = [1, 0.301030, 0, 1] → T = [1.05, 1.015051, 1, 1.05].
 */
const stats = (scaleNeg: number) => ({ tau: 0.05, med: 0, std: 1.25128, scalePos: 1 / 0.553951, scaleNeg });
const H = [0.1, 0.5, 1.0, 2.0];

describe('adaptiveTemperatureFor (HAPO)', () => {
  it.each([
    ['paper', 1 / 1.840184, [0.95, 0.984949, 1, 1.05]],
    ['code', -1 / 1.840184, [1.05, 1.015051, 1, 1.05]],
  ] as const)('%s branch', (_name, scaleNeg, expected) => {
    H.forEach((h, i) => expect(adaptiveTemperatureFor(h, 1, stats(scaleNeg))).toBeCloseTo(expected[i], 5));
  });

  it('sampleToken samples at the token temperature: its log-prob is that of softmax(logits / T_t)', () => {
    // Two equal logits: H = log 2 = 0.693147, h = log(0.693147)/1.25128 = −0.292926, paper ĥ = −0.292926/1.840184
    // = −0.159183, T = 0.992041; equal logits stay uniform at any T: log-prob = −log 2.
    const s = sampleToken([0, 0], { temperature: 1, adaptiveTemperature: stats(1 / 1.840184) }, new Rng(1));
    expect(s.logProb).toBeCloseTo(-Math.log(2), 10);
    // Logits [1, 0]: raw H = 0.582203 (p = 0.731059), h = log(0.582203)/1.25128 = −0.432306, ĥ = −0.234925,
    // T = 0.988254; log-prob of token 0 = −log(1 + e^{−1/0.988254}) = −0.310079.
    const t = sampleToken([1, 0], { temperature: 1, adaptiveTemperature: stats(1 / 1.840184), topK: 1 }, new Rng(1));
    expect(t.token).toBe(0);
    expect(t.logProb).toBeCloseTo(-0.310079, 5);
  });
});
