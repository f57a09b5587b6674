/** Lower-cased word tokens (letters and digits). */
export function terms(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Okapi BM25 scores of every document for a query:
 * Σ_{q ∈ query} idf(q) · f(q, d)·(k1 + 1) / (f(q, d) + k1·(1 − b + b·|d| / avgdl)),
 * idf(q) = ln((N − n(q) + 0.5)/(n(q) + 0.5) + 1) (Lucene's non-negative idf); k1 1.5 and b 0.75 as rank_bm25.
 */
export function bm25Scores(query: string, documents: readonly string[], k1 = 1.5, b = 0.75): number[] {
  const docs = documents.map(terms);
  const N = docs.length;
  if (N === 0) return [];
  const avgdl = docs.reduce((s, d) => s + d.length, 0) / N || 1;
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const q = terms(query);
  return docs.map((d) => {
    const tf = new Map<string, number>();
    for (const t of d) tf.set(t, (tf.get(t) ?? 0) + 1);
    let score = 0;
    for (const t of q) {
      const f = tf.get(t) ?? 0;
      if (!f) continue;
      const n = df.get(t) ?? 0;
      const idf = Math.log((N - n + 0.5) / (n + 0.5) + 1);
      score += (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * d.length) / avgdl));
    }
    return score;
  });
}

/** Indices of the `k` highest-scoring documents (ties: lower index first); documents scoring 0 are left out. */
export function topK(scores: readonly number[], k: number): number[] {
  return scores
    .map((s, i) => [s, i] as const)
    .filter(([s]) => s > 0)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i);
}
