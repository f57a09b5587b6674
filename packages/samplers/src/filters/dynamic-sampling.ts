import { definePlugin, TirlError, type TrajectoryGroup } from '@tirl/core';
import { z } from 'zod';
import { populationStd } from '../util/stats';
import { metricOf } from './metric';

interface StepState {
  step: number;
  generations: number;
  kept: TrajectoryGroup[];
  dropped: TrajectoryGroup[];
}

/**
 * DAPO dynamic sampling. Each call gets the groups newly generated for `step`; kept groups (metric std >
 * minStd, or singletons) accumulate across calls of the same step. Returns the batch so far, truncated to
 * `targetGroups`, with `needMore` while it is short and fewer than `maxGenerations` generations were made.
 * When generations run out: `pad` fills up with dropped groups, `error` throws.
 */
export const dynamicSampling = definePlugin({
  kind: 'filter',
  name: 'dynamic-sampling',
  summary: 'DAPO dynamic sampling: keep groups whose reward std > 0, ask for more groups until the batch is full (bounded)',
  paper: { title: 'DAPO: An Open-Source LLM Reinforcement Learning System at Scale', arxiv: '2503.14476', section: '3.2 (max_num_gen_batches 10)' },
  options: z
    .object({
      /** `reward`, or a component key such as `reward/acc` (TAPO filters on accuracy). */
      metric: z.string().min(1).default('reward'),
      /** Keep a group when its population std is > this (DAPO 0; ToolOrchestra skips std < 0.1). */
      minStd: z.number().nonnegative().default(0),
      /** Generations per step before giving up (DAPO max_num_gen_batches; 0 = unbounded). */
      maxGenerations: z.number().int().nonnegative().default(10),
      onExhausted: z.enum(['pad', 'error']).default('pad'),
      keepSingletons: z.boolean().default(true),
    })
    .strict(),
  create(options) {
    let st: StepState = { step: -1, generations: 0, kept: [], dropped: [] };
    return {
      filter({ groups, step, targetGroups }) {
        if (st.step !== step) st = { step, generations: 0, kept: [], dropped: [] };
        st.generations++;
        let keptNow = 0;
        for (const g of groups) {
          const values = g.trajectories.map((t) => metricOf(t, options.metric));
          const keep = (options.keepSingletons && g.trajectories.length === 1) || (values.every(Number.isFinite) && populationStd(values) > options.minStd);
          (keep ? st.kept : st.dropped).push(g);
          if (keep) keptNow++;
        }
        const full = st.kept.length >= targetGroups;
        const canRetry = options.maxGenerations === 0 || st.generations < options.maxGenerations;
        let exhausted = 0;
        let out = st.kept.slice(0, targetGroups);
        if (!full && !canRetry) {
          if (options.onExhausted === 'error') {
            throw new TirlError(
              `filter/dynamic-sampling: only ${st.kept.length} of ${targetGroups} groups had reward std > ${options.minStd} after ` +
                `${st.generations} generations. Raise maxGenerations, lower minStd, or set onExhausted: "pad"`,
              'invalid-data',
            );
          }
          exhausted = 1;
          out = [...st.kept, ...st.dropped].slice(0, targetGroups);
        }
        return {
          groups: out,
          needMore: !full && canRetry,
          metrics: {
            'filter/dynamic-sampling/kept': keptNow,
            'filter/dynamic-sampling/dropped': groups.length - keptNow,
            'filter/dynamic-sampling/batch': out.length,
            'filter/dynamic-sampling/generations': st.generations,
            'filter/dynamic-sampling/exhausted': exhausted,
          },
        };
      },
      state: () => JSON.parse(JSON.stringify(st)) as StepState,
      loadState(state) {
        const s = state as Partial<StepState> | undefined;
        st = { step: s?.step ?? -1, generations: s?.generations ?? 0, kept: s?.kept ?? [], dropped: s?.dropped ?? [] };
      },
    };
  },
});
