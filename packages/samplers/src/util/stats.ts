/** Population standard deviation (np.std, as DAPO's filter uses; only `> 0` matters there). */
export function populationStd(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
}

/** Two-sided 97.5 % Student-t quantiles t₀.₉₇₅,ν for ν = 1..30 (standard tables). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t₀.₉₇₅,ν: the table up to ν = 30, then the Cornish-Fisher expansion around z = 1.959964. */
export function tQuantile975(nu: number): number {
  if (nu < 1) return Infinity;
  if (nu <= 30) return T975[Math.floor(nu) - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * nu) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * nu ** 2);
}

/** Half-width of the 95 % t-interval of a mean from n draws with sample std s: t₀.₉₇₅,n−1 · s/√n. */
export function halfWidth(s: number, n: number): number {
  return n < 2 ? Infinity : (tQuantile975(n - 1) * s) / Math.sqrt(n);
}

/** Running count, mean and sum of squared deviations (Welford), serialisable. */
export interface RunningStats {
  n: number;
  mean: number;
  m2: number;
}

export function addSample(s: RunningStats, x: number): RunningStats {
  const n = s.n + 1;
  const delta = x - s.mean;
  const mean = s.mean + delta / n;
  return { n, mean, m2: s.m2 + delta * (x - mean) };
}

/** Unbiased sample std; undefined below two draws. */
export function sampleStd(s: RunningStats): number | undefined {
  return s.n < 2 ? undefined : Math.sqrt(s.m2 / (s.n - 1));
}
