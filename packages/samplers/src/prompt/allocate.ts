import { halfWidth } from '../util/stats';

export interface AllocationInput {
  /** Rollouts already observed for this prompt. */
  seen: number;
  /** Sample std of its rewards (undefined below two observations: the prior is used). */
  std: number | undefined;
}

export interface AllocationOptions {
  budget: number;
  minRollouts: number;
  maxRollouts: number;
  priorStd: number;
  /** Weight λ of the exploration bonus λ·sqrt(ln(T)/n). */
  exploration: number;
  /** T in the bonus: total rollouts observed so far (at least 2). */
  total: number;
}

/**
 * XRPO allocator: every prompt gets `minRollouts`; the rest of the budget goes one rollout at a time to
 * the prompt with the largest expected shrink of its 95 % t-interval, h(n) − h(n+1) with
 * h(n) = t₀.₉₇₅,n−1 · s/√n over n = seen + allocated, plus λ·sqrt(ln T / n). Ties go to the earlier prompt.
 */
export function allocateRollouts(prompts: readonly AllocationInput[], o: AllocationOptions): number[] {
  const alloc = prompts.map(() => o.minRollouts);
  let left = o.budget - o.minRollouts * prompts.length;
  const priority = (i: number) => {
    const n = prompts[i].seen + alloc[i];
    const s = prompts[i].std ?? o.priorStd;
    const gain = halfWidth(s, n) - halfWidth(s, n + 1);
    return gain + o.exploration * Math.sqrt(Math.log(Math.max(2, o.total)) / Math.max(1, n));
  };
  while (left > 0) {
    let best = -1;
    let bestP = -Infinity;
    for (let i = 0; i < prompts.length; i++) {
      if (alloc[i] >= o.maxRollouts) continue;
      const p = priority(i);
      if (p > bestP) {
        best = i;
        bestP = p;
      }
    }
    if (best < 0) break;
    alloc[best]++;
    left--;
  }
  return alloc;
}
