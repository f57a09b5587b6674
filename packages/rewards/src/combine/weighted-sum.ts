import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { combineRewards } from './combine-rewards';
import { componentSchema, createComponents, distinctNames } from './components';

/** Σ wᵢ·sᵢ over component rewards, each logged as `reward/<name>`. */
export const weightedSum = definePlugin({
  kind: 'reward',
  name: 'weighted-sum',
  summary: 'Weighted sum of component rewards (e.g. MATPO 0.9·acc + 0.1·fmt); each component logged as reward/<name>',
  paper: { title: 'Multi-Agent Tool-Integrated Policy Optimization (MATPO)', arxiv: '2510.04678', section: '3.2 (0.9 acc + 0.1 fmt)' },
  options: z
    .object({
      components: z.array(componentSchema).min(1),
      /** Value a failed component counts as (MATPO judge failure → 0). */
      failureScore: z.number().default(0),
    })
    .strict()
    .refine((o) => distinctNames(o.components), { message: 'component names must be distinct (set name on repeated ids)', path: ['components'] }),
  create(options, ctx) {
    return combineRewards(createComponents(options.components, ctx), 'weighted-sum', { failureScore: options.failureScore });
  },
});
