import type { RowKind } from './batch';

/**
 * Denominators of a loss, counted over the whole (mini-)batch before it is cut into micro-batches,
 * so that summing micro-batch losses gives exactly the big-batch loss.
 */
export interface GlobalCounts {
  /** Trained tokens in the whole batch. */
  tokens: number;
  /** Non-pad rows with at least one trained token. */
  sequences: number;
  /** Distinct roots among non-pad rows. */
  roots: number;
  /**
   * The run's generation budget (maximum response length, `settings.decode.maxNewTokens`), Dr. GRPO's
   * constant normaliser; set by the trainer. Never the padded row width, which includes the prompt.
   */
  generationBudget?: number;
  /** Trained tokens per root index (planner + all its workers). */
  tokensPerRoot: Map<number, number>;
}

/** Counts from a row-major loss mask `[B, T]`. */
export function countBatch(
  lossMask: ArrayLike<number>,
  shape: readonly [number, number],
  rowKinds: readonly RowKind[],
  rootIds: ArrayLike<number>,
  generationBudget?: number,
): GlobalCounts {
  const [B, T] = shape;
  const counts: GlobalCounts = { tokens: 0, sequences: 0, roots: 0, tokensPerRoot: new Map() };
  if (generationBudget !== undefined) counts.generationBudget = generationBudget;
  for (let b = 0; b < B; b++) {
    if (rowKinds[b] === 'pad') continue;
    let rowTokens = 0;
    for (let t = 0; t < T; t++) rowTokens += lossMask[b * T + t];
    counts.tokens += rowTokens;
    if (rowTokens > 0) counts.sequences += 1;
    const root = rootIds[b];
    counts.tokensPerRoot.set(root, (counts.tokensPerRoot.get(root) ?? 0) + rowTokens);
  }
  counts.roots = counts.tokensPerRoot.size;
  return counts;
}

/** Sums the counts of disjoint parts (e.g. data-parallel shards) into the global counts. */
export function mergeCounts(parts: readonly GlobalCounts[]): GlobalCounts {
  const merged: GlobalCounts = { tokens: 0, sequences: 0, roots: 0, tokensPerRoot: new Map() };
  for (const p of parts) {
    merged.tokens += p.tokens;
    merged.sequences += p.sequences;
    if (p.generationBudget !== undefined) merged.generationBudget = Math.max(merged.generationBudget ?? 0, p.generationBudget);
    for (const [root, n] of p.tokensPerRoot) merged.tokensPerRoot.set(root, (merged.tokensPerRoot.get(root) ?? 0) + n);
  }
  merged.roots = merged.tokensPerRoot.size;
  return merged;
}
