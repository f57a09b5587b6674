/** Empirical quantile with linear interpolation between order statistics (numpy's default). */
export function quantile(xs: readonly number[], level: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  const pos = level * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** One stochastic-approximation step of a quantile tracker: `q ← q + lr·(level − mean[x < q])`. */
export function trackQuantile(q: number, xs: readonly number[], level: number, lr: number): number {
  if (xs.length === 0) return q;
  const below = xs.filter((x) => x < q).length / xs.length;
  return q + lr * (level - below);
}
