/** Mean and sample standard deviation (n − 1 in the denominator; 0 for a single value). */
export function meanStd(xs: readonly number[]): { mean: number; std: number; n: number } {
  if (xs.length === 0) throw new Error('demo: mean ± std of no values');
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.length > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, std: Math.sqrt(variance), n: xs.length };
}

/** `1,2,3` → [1, 2, 3]: distinct non-negative integers, in the order given. */
export function parseSeeds(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const seeds = parts.map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  const bad = parts.find((_, i) => !Number.isInteger(seeds[i]));
  if (bad !== undefined) throw new Error(`demo: --seeds takes comma-separated non-negative integers such as 1,2,3, got "${value}" ("${bad}")`);
  if (new Set(seeds).size !== seeds.length) throw new Error(`demo: --seeds lists a seed twice: "${value}"`);
  return seeds;
}

/**
 * The standard error of a sampled accuracy whose rollouts come in groups per question (`repeats` rollouts
 * of each): the spread of the per-question means over √questions, since rollouts of one question are not
 * independent. `correct` maps each question to its rollouts' 0/1 results.
 */
export function clusteredStandardError(correct: ReadonlyMap<string, readonly number[]>): number {
  const perQuestion = [...correct.values()].map((r) => r.reduce((a, b) => a + b, 0) / r.length);
  if (perQuestion.length < 2) return 0;
  return meanStd(perQuestion).std / Math.sqrt(perQuestion.length);
}

/** `x` to 3 decimals with its sign (`+0.123`, `-0.050`); a value that rounds to zero is `+0.000`. */
export function signed3(x: number): string {
  const text = x.toFixed(3);
  if (Number(text) === 0) return '+0.000';
  return x > 0 ? `+${text}` : text;
}

/** `+0.123 ± 0.045` (unsigned: `0.123 ± 0.045`). */
export const formatMeanStd = (s: { mean: number; std: number }, signed = true): string =>
  `${signed ? signed3(s.mean) : s.mean.toFixed(3)} ± ${s.std.toFixed(3)}`;
