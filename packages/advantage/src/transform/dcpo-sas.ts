import { definePlugin, TirlError } from '@tirl/core';
import { z } from 'zod';
import { broadcastRows, trajectoryOf } from '../math/batch-views';
import { groupsOf, moments } from '../math/group-stats';

interface PromptStats {
  times: number;
  mean: number;
  std: number;
}

/**
 * DCPO Smooth Advantage Standardisation. Per prompt (`trajectory.sampleId`, stable across steps) it keeps
 * `(times, mean, std)`. At the i-th visit (`i = times + 1`) with the current group's `μ_new, σ_new`
 * (unbiased std): `μ_tot = (μ_old(i−1) + μ_new)/i`,
 * `σ_tot² = [(i−1)σ_old² + σ_new² + (i−1)/i·(μ_new − μ_old)²]/i`,
 * `A_new = (R − μ_new)/σ_new`, `A_tot = (R − μ_tot)/σ_tot` (0 where the std is 0),
 * `SA_new = (i−1)/i·A_new + A_tot/i`, `SA_tot = A_new/i + (i−1)/i·A_tot`, and the row gets the one of
 * smaller magnitude. It REPLACES the incoming advantages (it recomputes from `scores`); place it right
 * after an outcome estimator. State is serialisable and must be checkpointed.
 */
export const dcpoSas = definePlugin({
  kind: 'advantageTransform',
  name: 'dcpo-sas',
  summary: 'DCPO smooth advantage standardisation: blends step and cumulative per-prompt reward statistics',
  paper: { title: 'DCPO: Dynamic Clipping Policy Optimization', arxiv: '2509.02333', section: '3.2 (SAS)' },
  options: z
    .object({
      stdKind: z.enum(['unbiased', 'population']).default('unbiased'),
    })
    .strict(),
  create: (options) => {
    let stats = new Map<string, PromptStats>();
    return {
      transform({ batch, scores }) {
        const perRow = new Float64Array(scores.length);
        for (const rows of groupsOf(batch)) {
          const key = trajectoryOf(batch, rows[0], 'advantageTransform/dcpo-sas').sampleId;
          const now = moments(rows.map((b) => scores[b]), options.stdKind);
          const old = stats.get(key);
          const i = (old?.times ?? 0) + 1;
          const mean = old ? (old.mean * (i - 1) + now.mean) / i : now.mean;
          const variance = old ? ((i - 1) * old.std ** 2 + now.std ** 2 + ((i - 1) / i) * (now.mean - old.mean) ** 2) / i : now.std ** 2;
          const std = Math.sqrt(variance);
          for (const b of rows) {
            const aNew = now.std > 0 ? (scores[b] - now.mean) / now.std : 0;
            const aTot = std > 0 ? (scores[b] - mean) / std : 0;
            const saNew = ((i - 1) / i) * aNew + aTot / i;
            const saTot = aNew / i + ((i - 1) / i) * aTot;
            perRow[b] = Math.abs(saNew) < Math.abs(saTot) ? saNew : saTot;
          }
          stats.set(key, { times: i, mean, std });
        }
        return { advantages: broadcastRows(batch, perRow), metrics: { 'advantageTransform/dcpo-sas/prompts': stats.size } };
      },
      state: () => ({ prompts: Object.fromEntries(stats) }),
      loadState(state: unknown) {
        const prompts = (state as { prompts?: Record<string, PromptStats> } | null)?.prompts;
        if (!prompts || typeof prompts !== 'object') {
          throw new TirlError('advantageTransform/dcpo-sas: loadState expects { prompts: { [sampleId]: { times, mean, std } } }', 'invalid-data');
        }
        stats = new Map(Object.entries(prompts).map(([k, v]) => [k, { times: v.times, mean: v.mean, std: v.std }]));
      },
    };
  },
});
