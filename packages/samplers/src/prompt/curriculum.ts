import { definePlugin, type Sample } from '@tirl/core';
import { z } from 'zod';
import { scheduleSchema, scheduleValue } from '../util/schedule';
import { restoreRng } from '../util/rng-state';

/**
 * Samples uniformly (seeded) from the prompts whose difficulty is ≤ d(step), where d follows the schedule
 * from `difficulty.start` to `difficulty.end`. When fewer than n qualify, the n easiest are used.
 */
export const curriculum = definePlugin({
  kind: 'sampler',
  name: 'curriculum',
  summary: 'Curriculum by difficulty: draws from prompts with difficulty ≤ a threshold that rises with the step',
  options: z
    .object({
      difficulty: scheduleSchema.default({ start: 0.3, end: 1, steps: 1000, shape: 'linear' }),
      /** Difficulty assumed for samples without one. */
      missingDifficulty: z.number().min(0).max(1).default(0.5),
    })
    .strict(),
  create(options, ctx) {
    let samples: Sample[] = [];
    const difficulty = (s: Sample) => s.difficulty ?? options.missingDifficulty;
    return {
      setDataset(list) {
        samples = [...list].sort((a, b) => difficulty(a) - difficulty(b));
      },
      next(n, step) {
        const limit = scheduleValue(options.difficulty, step);
        let count = samples.filter((s) => difficulty(s) <= limit + 1e-12).length;
        count = Math.min(samples.length, Math.max(count, n));
        const pool = samples.slice(0, count);
        const out: { sample: Sample }[] = [];
        while (out.length < n) for (const sample of ctx.rng.shuffle(pool).slice(0, n - out.length)) out.push({ sample });
        return out;
      },
      state: () => ({ rng: [...ctx.rng.state()] }),
      loadState: (s) => restoreRng(ctx.rng, (s as { rng?: unknown } | undefined)?.rng),
    };
  },
});
