import { definePlugin, type PreferencePair, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { bestWorstPair } from './steps';

/**
 * Pairs from scored groups: per sample, the highest-reward rollout is preferred over the lowest-reward
 * one when their rewards differ (by at least `minGap`; equal rewards make no pair). Tool observations
 * inside a response are not trained (mask 0).
 */
export const groupPairs = definePlugin({
  kind: 'pairs',
  name: 'group',
  summary: 'Best-vs-worst pairs from each scored rollout group (online iterative DPO data)',
  options: z.object({ minGap: z.number().min(0).default(0) }).strict(),
  create: (o) => ({
    fromRollouts: true,
    pairs({ trees }) {
      const bySample = new Map<string, Trajectory[]>();
      for (const t of (trees ?? []).flatMap((tree) => tree.trajectories)) {
        if (t.parentId === undefined) bySample.set(t.sampleId, [...(bySample.get(t.sampleId) ?? []), t]);
      }
      const pairs: PreferencePair[] = [];
      for (const [sampleId, group] of bySample) {
        const sorted = [...group].sort((a, b) => (b.reward ?? 0) - (a.reward ?? 0));
        const [best, worst] = [sorted[0], sorted[sorted.length - 1]];
        const gap = (best.reward ?? 0) - (worst.reward ?? 0);
        if (group.length < 2 || gap <= 0 || gap < o.minGap) continue;
        const pair = bestWorstPair(sampleId, best, worst, {});
        if (pair) pairs.push(pair);
      }
      return { pairs, metrics: { 'pairs/group/pairs': pairs.length } };
    },
  }),
});
