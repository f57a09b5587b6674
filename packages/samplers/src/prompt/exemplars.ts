import { definePlugin, type Sample } from '@tirl/core';
import { z } from 'zod';
import { restoreRng } from '../util/rng-state';
import { EpochOrder, type EpochOrderState } from './epoch-order';
import { ExemplarPool, withExemplars, type Exemplar } from './exemplar-pool';

/** A candidate exemplar set of the search and the rewards of the groups that were served with it. */
interface Candidate {
  ids: string[];
  uses: number;
  sum: number;
}

/** The candidate with the highest mean score (the first on ties), given each candidate's score. */
export function bestCandidate(scores: readonly number[]): number {
  let best = 0;
  scores.forEach((s, i) => {
    if (s > scores[best]) best = i;
  });
  return best;
}

/** A candidate's exemplars for one item: the set without the item's own exemplar (which would leak its answer). */
export function exemplarsFor(ids: readonly string[], itemId: string): string[] {
  return ids.filter((id) => id !== itemId);
}

/**
 * "Show smarter": exemplar selection (ES) over the policy's own verified answers. Every rollout whose reward
 * reaches `successThreshold` puts its (question, answer) in a pool; prompts are served with `k` exemplars from
 * it as earlier chat turns. `search` (the paper's ES): `candidates` subsets of k drawn uniformly from the pool
 * are each tried on the next prompts, scored by the mean reward of the groups served with them, and the best
 * (first on ties) is used from then on; `random`: a fresh uniform subset per prompt.
 */
export const exemplarSampler = definePlugin({
  kind: 'sampler',
  name: 'exemplars',
  summary: "Exemplar selection: prompts get k of the policy's own verified (question, answer) pairs as in-context examples, the set chosen by random search on reward",
  paper: { title: 'Teach Better or Show Smarter? On Instructions and Exemplars in Automatic Prompt Optimization', arxiv: '2406.15708', section: '3 (exemplar selection by random search over model-generated exemplars)' },
  options: z
    .object({
      /** Exemplars per prompt (unverified; the paper varies it). */
      k: z.number().int().positive().default(2),
      /** `search`: T candidate sets tried, the best kept (ES); `random`: a fresh set per prompt. */
      selection: z.enum(['search', 'random']).default('search'),
      /** T: candidate sets tried by the search (unverified). */
      candidates: z.number().int().positive().default(8),
      /** A rollout with reward ≥ this is a verified answer for the pool. */
      successThreshold: z.number().default(1),
      /** Samples with an exemplar kept at most (oldest out first). */
      poolSize: z.number().int().positive().default(256),
      shuffle: z.boolean().default(true),
    })
    .strict(),
  create(options, ctx) {
    const order = new EpochOrder(ctx.rng, options.shuffle, ctx.id);
    const pool = new ExemplarPool(options.poolSize);
    const draw = ctx.rng.fork('exemplars');
    let byId = new Map<string, Sample>();
    let candidates: Candidate[] = [];
    let best: number | undefined;
    /** Candidate served to each sample awaiting its rewards. */
    let pending: Record<string, number> = {};
    let nextCandidate = 0;

    const uniform = (from: readonly Exemplar[]) => draw.shuffle(from).slice(0, options.k);
    const chooseFor = (sample: Sample): Exemplar[] => {
      if (options.selection === 'random') return uniform(pool.list(sample.id));
      if (candidates.length === 0) {
        const all = pool.list();
        if (all.length < options.k) return [];
        candidates = Array.from({ length: options.candidates }, () => ({ ids: uniform(all).map((e) => e.sampleId), uses: 0, sum: 0 }));
      }
      let c = best;
      if (c === undefined) {
        c = nextCandidate % candidates.length;
        nextCandidate++;
        pending[sample.id] = c;
      }
      const known = new Map(pool.list().map((e) => [e.sampleId, e]));
      return exemplarsFor(candidates[c].ids, sample.id)
        .map((id) => known.get(id))
        .filter((e): e is Exemplar => e !== undefined);
    };

    return {
      setDataset(samples) {
        order.setDataset(samples);
        byId = new Map(samples.map((s) => [s.id, s]));
      },
      next(n) {
        return order.next(n).map((sample) => ({ sample: withExemplars(sample, chooseFor(sample)) }));
      },
      observe(results) {
        for (const r of results) {
          const c = pending[r.sampleId];
          if (c !== undefined && r.rewards.length) {
            candidates[c].uses++;
            candidates[c].sum += r.rewards.reduce((a, b) => a + b, 0) / r.rewards.length;
            delete pending[r.sampleId];
          }
          pool.offer(byId.get(r.sampleId), r.rewards, r.trajectories, options.successThreshold);
        }
        if (best === undefined && candidates.length && candidates.every((x) => x.uses > 0)) {
          best = bestCandidate(candidates.map((x) => x.sum / x.uses));
        }
      },
      state: () => ({ order: order.state(), pool: pool.state(), candidates: candidates.map((c) => ({ ...c, ids: [...c.ids] })), best: best ?? null, pending: { ...pending }, nextCandidate, rng: draw.state() }),
      loadState(state) {
        const s = state as { order?: EpochOrderState; pool?: Exemplar[]; candidates?: Candidate[]; best?: number | null; pending?: Record<string, number>; nextCandidate?: number; rng?: unknown } | undefined;
        order.loadState(s?.order);
        pool.loadState(s?.pool);
        candidates = (s?.candidates ?? []).map((c) => ({ ...c, ids: [...c.ids] }));
        best = s?.best ?? undefined;
        pending = { ...(s?.pending ?? {}) };
        nextCandidate = s?.nextCandidate ?? 0;
        restoreRng(draw, s?.rng);
      },
    };
  },
});
