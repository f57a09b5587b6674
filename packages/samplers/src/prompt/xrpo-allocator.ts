import { definePlugin, type Sample } from '@tirl/core';
import { z } from 'zod';
import { addSample, sampleStd, type RunningStats } from '../util/stats';
import { allocateRollouts } from './allocate';
import { EpochOrder, type EpochOrderState } from './epoch-order';
import { ExemplarPool, questionOf, withExemplars, type Exemplar } from './exemplar-pool';

/** Picks prompts by seeded epoch order and gives each a rollout count from its reward uncertainty (XRPO). */
export const xrpoAllocator = definePlugin({
  kind: 'sampler',
  name: 'xrpo-allocator',
  summary: 'XRPO rollout allocator: per-prompt rollout counts that shrink the widest 95% t-intervals of mean reward first; optional in-context seeding of all-fail prompts',
  paper: { title: 'XRPO: Pushing the limits of GRPO with Targeted Exploration and Exploitation', arxiv: '2510.06672', section: '3.1 (allocator; bonus form unverified), in-context seeding (abstract; section, k and trigger unverified)' },
  options: z
    .object({
      /** Average rollouts per prompt: the step's budget is n × this. */
      rolloutsPerPrompt: z.number().int().min(2).default(8),
      /** Every prompt gets at least this many (≥ 2 to estimate a std). */
      minRollouts: z.number().int().min(2).default(2),
      maxRollouts: z.number().int().min(2).default(32),
      /** Std assumed for a prompt seen fewer than twice (0.5 is the largest std of a 0/1 reward). */
      priorStd: z.number().nonnegative().default(0.5),
      /** λ of the exploration bonus λ·sqrt(ln T / n) (the paper's form is unverified; 0 turns it off). */
      exploration: z.number().nonnegative().default(0),
      /**
       * In-context seeding (abstract): a prompt whose last group had no success is served with this many of the
       * policy's own verified answers to the most similar questions (BM25) as in-context exemplars, until a
       * group of it succeeds. 0 turns seeding off (k unverified).
       */
      seedExemplars: z.number().int().nonnegative().default(0),
      /** A rollout with reward ≥ this is a success (for the exemplar pool and for ending seeding). */
      seedSuccessThreshold: z.number().default(1),
      /** Samples with an exemplar kept at most. */
      seedPoolSize: z.number().int().positive().default(256),
      shuffle: z.boolean().default(true),
    })
    .strict()
    .refine((o) => o.minRollouts <= o.rolloutsPerPrompt && o.rolloutsPerPrompt <= o.maxRollouts, {
      message: 'need minRollouts ≤ rolloutsPerPrompt ≤ maxRollouts',
      path: ['rolloutsPerPrompt'],
    }),
  create(options, ctx) {
    const order = new EpochOrder(ctx.rng, options.shuffle, ctx.id);
    let stats: Record<string, RunningStats> = {};
    let total = 0;
    const pool = new ExemplarPool(options.seedPoolSize);
    let stalled = new Set<string>();
    let byId = new Map<string, Sample>();
    const seeded = (sample: Sample): Sample =>
      options.seedExemplars > 0 && stalled.has(sample.id) ? withExemplars(sample, pool.nearest(questionOf(sample), options.seedExemplars, sample.id)) : sample;
    return {
      setDataset(samples) {
        order.setDataset(samples);
        byId = new Map(samples.map((s) => [s.id, s]));
      },
      next(n) {
        const picked = order.next(n);
        const rollouts = allocateRollouts(
          picked.map((s) => ({ seen: stats[s.id]?.n ?? 0, std: stats[s.id] ? sampleStd(stats[s.id]) : undefined })),
          { ...options, budget: n * options.rolloutsPerPrompt, total },
        );
        return picked.map((sample, i) => ({ sample: seeded(sample), rollouts: rollouts[i] }));
      },
      observe(results) {
        for (const r of results) {
          if (options.seedExemplars > 0 && r.rewards.length) {
            pool.offer(byId.get(r.sampleId), r.rewards, r.trajectories, options.seedSuccessThreshold);
            if (r.rewards.some((x) => x >= options.seedSuccessThreshold)) stalled.delete(r.sampleId);
            else stalled.add(r.sampleId);
          }
          for (const x of r.rewards) {
            if (!Number.isFinite(x)) continue;
            stats[r.sampleId] = addSample(stats[r.sampleId] ?? { n: 0, mean: 0, m2: 0 }, x);
            total++;
          }
        }
      },
      state: () => ({ order: order.state(), stats: { ...stats }, total, pool: pool.state(), stalled: [...stalled] }),
      loadState(state) {
        const s = state as { order?: EpochOrderState; stats?: Record<string, RunningStats>; total?: number; pool?: Exemplar[]; stalled?: string[] } | undefined;
        order.loadState(s?.order);
        pool.loadState(s?.pool);
        stalled = new Set(s?.stalled ?? []);
        stats = { ...(s?.stats ?? {}) };
        total = s?.total ?? 0;
      },
    };
  },
});
