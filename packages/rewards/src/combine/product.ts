import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { combineRewards } from './combine-rewards';
import { componentSchema, createComponents, distinctNames } from './components';

/** scale · Π sᵢ over component rewards (A²FM acc × adaptive × format; OTC α · r_tool · r_φ). */
export const product = definePlugin({
  kind: 'reward',
  name: 'product',
  summary: 'Product of component rewards times a scale: any zero component zeroes the reward (A²FM, OTC multiplicative form)',
  paper: { title: 'A^2FM: An Adaptive Agent Foundation Model for Tool-Aware Hybrid Reasoning', arxiv: '2510.12838', section: '3.3 (r_acc × r_adaptive × r_format)' },
  options: z
    .object({
      components: z
        .array(componentSchema)
        .min(1)
        .refine((cs) => cs.every((c) => c.weight === 1), { message: 'weights are not used by a product; use scale instead' }),
      scale: z.number().default(1),
      failureScore: z.number().default(0),
    })
    .strict()
    .refine((o) => distinctNames(o.components), { message: 'component names must be distinct (set name on repeated ids)', path: ['components'] }),
  create(options, ctx) {
    return combineRewards(createComponents(options.components, ctx), 'product', { failureScore: options.failureScore, scale: options.scale });
  },
});
