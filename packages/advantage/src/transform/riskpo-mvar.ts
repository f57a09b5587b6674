import { definePlugin, TirlError } from '@tirl/core';
import { z } from 'zod';
import { broadcastRows } from '../math/batch-views';
import { groupsOf, moments } from '../math/group-stats';
import { quantile, trackQuantile } from '../math/quantile';

interface TrackerState {
  lower?: number;
  upper?: number;
}

const EPS = 1e-6;

/**
 * RiskPO Mixed Value-at-Risk advantage (RTkenny/RiskPO). Groups are taken in batch order and `bundleSize`
 * consecutive groups form a bundle; "paper" j sums the j-th row of every group of the bundle,
 * `X_j = Σ_q R_{q,j}` (rows beyond the smallest group get 0). With `a = q(alpha)`, `b = q(beta)`:
 * `A_R = (clamp(X, a, b) − b)/(beta − alpha + ε)`, `A_C = (min(X, a) − a)/(alpha + ε)`,
 * `A = (w·A_C + A_R)/(w + 1)` (or `A_R` alone without mixing), optionally `/ (std_bundle X + ε)`, then
 * credited to each row: `uniform`, `std` (÷ (std_q R + ε), std_q < 1e-3 → 1) or `score` (×0.5 if R > 0
 * else ×1.5). Every advantage is ≤ 0 (natural baseline at the top). It REPLACES the incoming advantages.
 * Quantiles: `batch` (this step's X), `track` (stochastic approximation, initialised from the first
 * batch, updated with each step's X before use) or `mix` (their average); the tracker is checkpointed.
 */
export const riskpoMvar = definePlugin({
  kind: 'advantageTransform',
  name: 'riskpo-mvar',
  summary: 'RiskPO: mixed value-at-risk advantage over bundles of prompts with tracked reward quantiles',
  paper: { title: 'RiskPO: Risk-based Policy Optimization via Verifiable Reward for LLM Post-Training', arxiv: '2510.00911', section: '3' },
  options: z
    .object({
      /** Lower quantile level α (scripts 0.2). */
      alpha: z.number().gt(0).lt(1).default(0.2),
      /** Upper quantile level β (scripts 0.9; paper summaries 0.8). */
      beta: z.number().gt(0).lt(1).default(0.9),
      bundleSize: z.number().int().positive().default(5),
      quantiles: z.enum(['track', 'batch', 'mix']).default('track'),
      trackLr: z.number().positive().default(0.1),
      mixing: z.boolean().default(true),
      mixWeight: z.number().nonnegative().default(1.5),
      normByStd: z.boolean().default(true),
      credit: z.enum(['uniform', 'std', 'score']).default('std'),
    })
    .strict()
    .refine((o) => o.alpha < o.beta, { message: 'alpha must be smaller than beta', path: ['beta'] }),
  create: (options) => {
    let tracker: TrackerState = {};
    return {
      transform({ batch, scores }) {
        const groups = groupsOf(batch);
        const bundles: number[][][] = [];
        for (let i = 0; i < groups.length; i += options.bundleSize) bundles.push(groups.slice(i, i + options.bundleSize));
        const papers = bundles.map((bundle) => {
          const n = Math.min(...bundle.map((rows) => rows.length));
          return Array.from({ length: n }, (_, j) => bundle.reduce((s, rows) => s + scores[rows[j]], 0));
        });
        const all = papers.flat();
        const [a, b] = quantileBounds(all);
        const perRow = new Float64Array(scores.length);
        bundles.forEach((bundle, k) => {
          const xs = papers[k];
          const spread = options.normByStd ? moments(xs).std + EPS : 1;
          xs.forEach((x, j) => {
            const rvar = (Math.min(Math.max(x, a), b) - b) / (options.beta - options.alpha + EPS);
            const cvar = (Math.min(x, a) - a) / (options.alpha + EPS);
            const paperAdv = (options.mixing ? (options.mixWeight * cvar + rvar) / (options.mixWeight + 1) : rvar) / spread;
            for (const rows of bundle) perRow[rows[j]] = credit(paperAdv, scores[rows[j]], rows.map((r) => scores[r]));
          });
        });
        return {
          advantages: broadcastRows(batch, perRow),
          metrics: { 'advantageTransform/riskpo-mvar/lower': a, 'advantageTransform/riskpo-mvar/upper': b },
        };
      },
      state: () => ({ ...tracker }),
      loadState(state: unknown) {
        const s = state as TrackerState | null;
        if (!s || typeof s !== 'object') throw new TirlError('advantageTransform/riskpo-mvar: loadState expects { lower?, upper? }', 'invalid-data');
        tracker = { lower: s.lower, upper: s.upper };
      },
    };

    function quantileBounds(xs: number[]): [number, number] {
      const batchA = quantile(xs, options.alpha);
      const batchB = quantile(xs, options.beta);
      if (tracker.lower === undefined || tracker.upper === undefined) tracker = { lower: batchA, upper: batchB };
      else tracker = { lower: trackQuantile(tracker.lower, xs, options.alpha, options.trackLr), upper: trackQuantile(tracker.upper, xs, options.beta, options.trackLr) };
      if (options.quantiles === 'batch') return [batchA, batchB];
      if (options.quantiles === 'track') return [tracker.lower!, tracker.upper!];
      return [(batchA + tracker.lower!) / 2, (batchB + tracker.upper!) / 2];
    }

    function credit(paperAdv: number, reward: number, groupScores: number[]): number {
      if (options.credit === 'score') return paperAdv * (reward > 0 ? 0.5 : 1.5);
      if (options.credit === 'std') {
        const sd = moments(groupScores).std;
        return paperAdv / ((sd < 1e-3 ? 1 : sd) + EPS);
      }
      return paperAdv;
    }
  },
});
