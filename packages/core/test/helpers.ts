import { z } from 'zod';
import { defineMethod, definePlugin, type AnyPluginDefinition } from '../src';

/** Small plugins of three kinds, enough to exercise recipes and experiments. */
export const grpo = definePlugin({
  kind: 'advantage',
  name: 'grpo',
  summary: 'test double of a group-relative advantage',
  options: z.object({ normalizeStd: z.boolean().default(true), epsilon: z.number().positive().default(1e-6) }).strict(),
  create: (options) => ({ compute: () => ({ advantages: null as never }), options }),
});
export const rloo = definePlugin({
  kind: 'advantage',
  name: 'rloo',
  summary: 'test double of a leave-one-out advantage',
  options: z.object({}).strict(),
  create: () => ({ compute: () => ({ advantages: null as never }) }),
});
export const ppoClip = definePlugin({
  kind: 'objective',
  name: 'ppo-clip',
  summary: 'test double of the PPO clipped objective',
  options: z
    .object({ clipLow: z.number().positive().max(1).default(0.2), clipHigh: z.number().positive().default(0.2) })
    .strict(),
  create: (options) => ({ perToken: () => ({ perToken: null as never }), options }),
});
export const gspo = definePlugin({
  kind: 'objective',
  name: 'gspo',
  summary: 'test double of a sequence-level objective with its own aggregation',
  options: z.object({}).strict(),
  create: () => ({ perToken: () => ({ perToken: null as never }), requiredAggregation: 'seq-mean-token-mean' }),
});
export const tokenMean = definePlugin({
  kind: 'aggregation',
  name: 'token-mean',
  summary: 'test double of token-mean aggregation',
  options: z.object({}).strict(),
  create: () => ({ aggregate: () => null as never }),
});
export const exactMatch = definePlugin({
  kind: 'reward',
  name: 'exact-match',
  summary: 'test double of an exact-match reward',
  options: z.object({ weight: z.number().default(1) }).strict(),
  create: (options) => {
    let calls = 0;
    return { score: () => ({ scores: [options.weight] }), state: () => ({ calls }), loadState: (s: unknown) => void (calls = (s as { calls: number }).calls), bump: () => calls++ };
  },
});
export const formatReward = definePlugin({
  kind: 'reward',
  name: 'format',
  summary: 'test double of a format reward',
  options: z.object({}).strict(),
  create: () => ({ score: () => ({ scores: [0] }) }),
});

export const allTestPlugins: AnyPluginDefinition[] = [grpo, rloo, ppoClip, gspo, tokenMean, exactMatch, formatReward];

export const base = defineMethod({
  name: 'base',
  paper: { title: 'Base method', arxiv: '0000.00001' },
  plugins: [
    ['advantage/grpo', { epsilon: 1e-4 }],
    ['objective/ppo-clip'],
    ['aggregation/token-mean'],
    ['reward/exact-match'],
  ],
  settings: { groupSize: 4, optimizer: { lr: 1e-6, betas: [0.9, 0.999] } },
});

export const child = defineMethod({
  name: 'child',
  extends: 'base',
  paper: { title: 'Child method', arxiv: '0000.00002' },
  plugins: [
    ['objective/ppo-clip', { clipHigh: 0.28 }],
    ['advantage/grpo', { normalizeStd: false }],
    ['reward/format'],
  ],
  settings: { optimizer: { lr: 2e-6 } },
});

export const book = [base, child];
