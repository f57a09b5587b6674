import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { EpochOrder } from './epoch-order';

/** Every sample once per epoch, in a new seeded permutation each epoch. */
export const epochShuffle = definePlugin({
  kind: 'sampler',
  name: 'epoch-shuffle',
  summary: 'Visits every sample once per epoch in a seeded permutation (the plugin rng), reshuffled each epoch',
  options: z
    .object({
      /** false: dataset order. */
      shuffle: z.boolean().default(true),
    })
    .strict(),
  create(options, ctx) {
    const order = new EpochOrder(ctx.rng, options.shuffle, ctx.id);
    return {
      setDataset: (samples) => order.setDataset(samples),
      next: (n) => order.next(n).map((sample) => ({ sample })),
      state: () => order.state(),
      loadState: (s) => order.loadState(s),
    };
  },
});
