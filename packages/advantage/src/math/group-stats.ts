import type { Batch } from '@tirl/core';

/** Which standard deviation a group statistic uses. */
export type StdKind = 'unbiased' | 'population';

/** What a group of one row gets: `zero` (no baseline to compare with) or `raw` (verl: μ = 0, σ = 1). */
export type SingletonPolicy = 'zero' | 'raw';

export interface Moments {
  mean: number;
  std: number;
  count: number;
}

/** Mean and standard deviation of plain numbers; the std of fewer than two values (unbiased) is 0. */
export function moments(xs: readonly number[], stdKind: StdKind = 'unbiased'): Moments {
  const n = xs.length;
  if (n === 0) return { mean: 0, std: 0, count: 0 };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
  const denom = stdKind === 'unbiased' ? n - 1 : n;
  return { mean, std: denom > 0 ? Math.sqrt(ss / denom) : 0, count: n };
}

/** Weighted mean and population std (weights ≥ 0); used for token-weighted statistics. */
export function weightedMoments(xs: readonly number[], ws: readonly number[]): Moments {
  const total = ws.reduce((s, w) => s + w, 0);
  if (total <= 0) return { mean: 0, std: 0, count: 0 };
  const mean = xs.reduce((s, x, i) => s + x * ws[i], 0) / total;
  const variance = xs.reduce((s, x, i) => s + ws[i] * (x - mean) ** 2, 0) / total;
  return { mean, std: Math.sqrt(variance), count: total };
}

/** Rows grouped by a key, in first-seen order, keeping only rows for which `include(b)` holds. */
export function groupRows(keys: ArrayLike<number | string>, include: (b: number) => boolean): Map<number | string, number[]> {
  const groups = new Map<number | string, number[]>();
  for (let b = 0; b < keys.length; b++) {
    if (!include(b)) continue;
    const list = groups.get(keys[b]) ?? [];
    list.push(b);
    groups.set(keys[b], list);
  }
  return groups;
}

/** The rows of each group of the batch (by `groupIds`), in first-seen order; pad rows are left out. */
export function groupsOf(batch: Batch): number[][] {
  return [...groupRows(batch.groupIds, (b) => batch.rowKinds[b] !== 'pad').values()];
}

export interface GroupNormOptions {
  /** Divide by the group std (GRPO) or only centre (Dr. GRPO). */
  normByStd: boolean;
  stdKind: StdKind;
  /** Added to the std: `(R − μ) / (σ + eps)`. */
  eps: number;
  singleton: SingletonPolicy;
  /** Std over all listed rows of every group instead of per group (TRL `scale_rewards="batch"`). */
  batchStd?: boolean;
}

/**
 * GRPO-style group-relative advantage per row: `(R_i − μ_g) / (σ_g + eps)`.
 * Rows not listed in `groups` get 0. Returns one number per row of `scores`.
 */
export function groupNormalize(
  scores: ArrayLike<number>,
  groups: Iterable<readonly number[]>,
  options: GroupNormOptions,
): Float64Array {
  const out = new Float64Array(scores.length);
  const lists = [...groups];
  const batchStd = options.batchStd
    ? moments(lists.flatMap((rows) => rows.map((b) => scores[b])), options.stdKind).std
    : undefined;
  for (const rows of lists) {
    if (rows.length === 1) {
      out[rows[0]] = options.singleton === 'raw' ? scores[rows[0]] : 0;
      continue;
    }
    const m = moments(rows.map((b) => scores[b]), options.stdKind);
    const scale = options.normByStd ? (batchStd ?? m.std) + options.eps : 1;
    // A zero-variance group with eps = 0 has a zero numerator too: its advantage is 0, not NaN.
    for (const b of rows) out[b] = scale > 0 ? (scores[b] - m.mean) / scale : 0;
  }
  return out;
}
