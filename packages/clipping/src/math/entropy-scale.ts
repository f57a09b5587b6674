/**
 * HAPO's normalised token entropy ĥ ∈ [−1, 1] over the valid tokens (arXiv 2509.16591; reference
 * `compute_entropy_h`): e = log(max(H, 1e-8)), h = e − quantile_pivot(e) ('nearest'), then h/max(h⁺)
 * for h > 0 and h/|min(h⁻)| for h ≤ 0. The reference also divides h by its root mean square first;
 * that scale cancels in the max-normalisation and is left out. Invalid tokens get 0.
 */
export function normalisedEntropy(entropies: ArrayLike<number>, mask: ArrayLike<number>, pivot: number): Float32Array {
  const out = new Float32Array(mask.length);
  const logs: number[] = [];
  const e = new Float64Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] <= 0) continue;
    e[i] = Math.log(Math.max(entropies[i], 1e-8));
    logs.push(e[i]);
  }
  if (logs.length === 0) return out;
  logs.sort((x, y) => x - y);
  const median = logs[nearestIndex(pivot * (logs.length - 1))];
  let maxPos = 0;
  let minNeg = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] <= 0) continue;
    const h = e[i] - median;
    if (h > maxPos) maxPos = h;
    if (h < minNeg) minNeg = h;
  }
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] <= 0) continue;
    const h = e[i] - median;
    out[i] = h > 0 ? h / maxPos : minNeg < 0 ? h / -minNeg : 0;
  }
  return out;
}

/** torch.quantile(interpolation='nearest') rounds the fractional index half to even. */
function nearestIndex(x: number): number {
  const f = Math.floor(x);
  const frac = x - f;
  if (frac > 0.5) return f + 1;
  if (frac < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
