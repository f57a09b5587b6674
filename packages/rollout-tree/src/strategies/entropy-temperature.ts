import { definePlugin, TirlError, type AdaptiveTemperature, type RolloutInput, type RolloutStrategy } from '@tirl/core';
import { z } from 'zod';
import { engineOptionsShape } from '../engine/engine';
import { linearRollout } from './linear';

/**
 * HAPO's statistics (released `compute_entropy_h`) over the token entropies of a step: e = log(max(H, 1e-8)),
 * med = the `pivot` quantile of e ('nearest': index round(pivot·(n−1)) of the sorted values), h = e − med,
 * std = sqrt(max(mean h², 1e-8)), h /= std; scalePos = 1/max(max h⁺, 1e-8); scaleNeg = 1/max(|min h⁻|, 1e-8)
 * (`paper`: ĥ ≤ 0 below the pivot, a lower temperature) or 1/min(min h⁻, −1e-8) (`code`: the released sampler,
 * where ĥ ≥ 0 everywhere). Undefined without entropies.
 */
export function entropyTemperatureStats(entropies: readonly number[], pivot: number, tau: number, negativeBranch: 'paper' | 'code'): AdaptiveTemperature | undefined {
  if (entropies.length === 0) return undefined;
  const e = entropies.map((x) => Math.log(Math.max(x, 1e-8)));
  const sorted = [...e].sort((a, b) => a - b);
  const med = sorted[Math.round(pivot * (sorted.length - 1))];
  const centred = e.map((x) => x - med);
  const std = Math.sqrt(Math.max(centred.reduce((s, x) => s + x * x, 0) / centred.length, 1e-8));
  const h = centred.map((x) => x / std);
  const pos = h.filter((x) => x > 0);
  const neg = h.filter((x) => x < 0);
  const scalePos = 1 / Math.max(pos.length ? Math.max(...pos) : 0, 1e-8);
  const minNeg = neg.length ? Math.min(...neg) : 0;
  const scaleNeg = negativeBranch === 'paper' ? 1 / Math.max(Math.abs(minNeg), 1e-8) : 1 / Math.min(minNeg, -1e-8);
  return { tau, med, std, scalePos, scaleNeg };
}

const options = z
  .object({
    ...engineOptionsShape,
    countSharedOnce: z.boolean().default(true),
    /** τ (recipe qwen2.5_math_7b.sh: temperature_tau 0.05). */
    tau: z.number().min(0).max(1).default(0.05),
    /** Entropy pivot quantile (recipe: 0.8). */
    entropyPivot: z.number().min(0).max(1).default(0.8),
    /** `paper`: low-entropy tokens get a lower temperature; `code`: the released sampler's sign (never lower). */
    negativeBranch: z.enum(['paper', 'code']).default('paper'),
  })
  .strict();

/**
 * HAPO adaptive temperature sampling: the rollouts of `rollout/linear`, each token sampled at
 * T_t = T·(1 + τ·ĥ_t) from its distribution's entropy against the statistics of the previous call's
 * token entropies (the first call samples at the plain T). The statistics are plugin state.
 */
export const entropyTemperatureRollout = definePlugin({
  kind: 'rollout',
  name: 'entropy-temperature',
  summary: "HAPO: per-token sampling temperature T·(1 + τ·ĥ) from the token's entropy against the previous step's entropy statistics",
  paper: { title: "From Uniform to Heterogeneous: Tailoring Policy Optimization to Every Token's Nature", arxiv: '2509.16591', section: '3.1 (adaptive temperature sampling); recipe qwen2.5_math_7b.sh' },
  options,
  create: (opts, ctx): RolloutStrategy & { state(): unknown; loadState(s: unknown): void } => {
    const { tau, entropyPivot, negativeBranch, ...linearOpts } = opts;
    const linear = linearRollout.create(linearOpts, ctx);
    let stats: AdaptiveTemperature | undefined;
    return {
      async rollout(input: RolloutInput) {
        const decode = { ...input.decode, returnEntropy: true, ...(stats ? { adaptiveTemperature: stats } : {}) };
        const out = await linear.rollout({ ...input, decode });
        const entropies = out.trees.flatMap((t) => t.trajectories.flatMap((x) => x.segments.flatMap((s) => (s.source === 'policy' ? (s.entropies ?? []) : []))));
        const adaptive = stats !== undefined;
        stats = entropyTemperatureStats(entropies, entropyPivot, tau, negativeBranch) ?? stats;
        return { ...out, metrics: { ...(out.metrics ?? {}), 'rollout/adaptive_temperature': adaptive ? 1 : 0 } };
      },
      state: () => ({ stats: stats ?? null }),
      loadState(state) {
        const s = (state as { stats?: unknown })?.stats;
        if (s !== null && (typeof s !== 'object' || s === undefined)) throw new TirlError('rollout/entropy-temperature: state must be { stats: {...} | null }', 'invalid-data');
        stats = (s ?? undefined) as AdaptiveTemperature | undefined;
      },
    };
  },
});
