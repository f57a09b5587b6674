import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { combineRewards } from './combine-rewards';
import { componentSchema, createComponents, distinctNames } from './components';

/** When the gate component scores ≥ threshold: Σ wᵢ·sᵢ of the others; else `otherwise` (TAPO: −1 on bad format). */
export const gate = definePlugin({
  kind: 'reward',
  name: 'gate',
  summary: 'Gated reward: the weighted sum of the components when the gate component passes its threshold, else a fixed score',
  paper: { title: 'Tool-Augmented Policy Optimization: Synergizing Reasoning and Adaptive Tool Use with Reinforcement Learning', arxiv: '2510.07038', section: 'tool_dapo.py (format violation → −1)' },
  options: z
    .object({
      gate: componentSchema,
      components: z.array(componentSchema).min(1),
      threshold: z.number().default(1),
      otherwise: z.number().default(0),
      failureScore: z.number().default(0),
    })
    .strict()
    .refine((o) => distinctNames([o.gate, ...o.components]), { message: 'component names must be distinct (set name on repeated ids)', path: ['components'] }),
  create(options, ctx) {
    const [gateReward, ...rest] = createComponents([options.gate, ...options.components], ctx);
    return combineRewards([gateReward, ...rest], 'gate', {
      failureScore: options.failureScore,
      threshold: options.threshold,
      otherwise: options.otherwise,
    });
  },
});
