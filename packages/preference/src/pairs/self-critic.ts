import { definePlugin, type PreferencePair, type Sample, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { bestWorstPair } from './steps';

/** Where a step falls in a cycle of `policyGradientSteps` GRPO steps followed by `preferenceSteps` DPO steps. */
export function selfCriticPhase(step: number, policyGradientSteps: number, preferenceSteps: number): 'preference' | 'policy-gradient' {
  return step % (policyGradientSteps + preferenceSteps) < policyGradientSteps ? 'policy-gradient' : 'preference';
}

/** The data source of a sample: `meta[key]` when it is a non-empty string, else `default`. */
function sourceOf(sample: Sample | undefined, key: string): string {
  const v = sample?.meta?.[key];
  return typeof v === 'string' && v ? v : 'default';
}

/**
 * Tool-Star's self-critic pairs: the step's K rollouts per query (the run's group size) sampled from the
 * current policy and scored by the run's reward (the hierarchical Tool-Star reward in `tool-star`);
 * chosen = the highest reward, rejected = the lowest, no pair when they tie (or differ by less than
 * `minGap`). Queries are grouped by data source (`sample.meta[sourceKey]`) and query, so a pair never
 * compares rewards of two scales (QA −1…1.1 against math 0…1). Tool outputs, injected text and the prompt
 * are not in the responses' masks, so DPO's log-prob sums leave them out. With `policyGradientSteps` > 0
 * the source alternates phases: that many GRPO steps, then `preferenceSteps` DPO steps, repeating.
 */
export const selfCriticPairs = definePlugin({
  kind: 'pairs',
  name: 'self-critic',
  summary: 'Tool-Star self-critic: per query and data source, max- vs. min-reward rollout of the current policy (ties skipped); optional GRPO/DPO phase alternation',
  paper: {
    title: 'Tool-Star: Empowering LLM-Brained Multi-Tool Reasoner via Reinforcement Learning',
    arxiv: '2505.16410',
    section: '3.3 (multi-tool self-critic RL); App. B.1 (pair sampling, not available: max/min pairs and the phase schedule are UNVERIFIED readings)',
  },
  options: z
    .object({
      /** Least reward gap of a pair (equal rewards never make one). */
      minGap: z.number().min(0).default(0),
      /** `sample.meta` key of the data source; pairs are built within one source. */
      sourceKey: z.string().min(1).default('source'),
      /** GRPO steps before each DPO phase (0: every step is a DPO step, the stage alone). */
      policyGradientSteps: z.number().int().min(0).default(0),
      /** DPO steps per phase. */
      preferenceSteps: z.number().int().min(1).default(1),
    })
    .strict(),
  create: (o) => ({
    fromRollouts: true,
    phase: (step: number) => selfCriticPhase(step, o.policyGradientSteps, o.preferenceSteps),
    pairs({ trees, samples }) {
      const byId = new Map(samples.map((s) => [s.id, s]));
      const groups = new Map<string, { source: string; sampleId: string; rollouts: Trajectory[] }>();
      for (const t of (trees ?? []).flatMap((tree) => tree.trajectories)) {
        if (t.parentId !== undefined) continue;
        const source = sourceOf(byId.get(t.sampleId), o.sourceKey);
        const key = JSON.stringify([source, t.sampleId]);
        const g = groups.get(key) ?? { source, sampleId: t.sampleId, rollouts: [] };
        g.rollouts.push(t);
        groups.set(key, g);
      }
      const pairs: PreferencePair[] = [];
      let ties = 0;
      for (const { source, sampleId, rollouts } of groups.values()) {
        if (rollouts.length < 2) continue;
        const scored = rollouts.filter((t) => Number.isFinite(t.reward));
        if (scored.length < 2) continue;
        const best = scored.reduce((a, b) => (b.reward! > a.reward! ? b : a));
        const worst = scored.reduce((a, b) => (b.reward! < a.reward! ? b : a));
        const gap = best.reward! - worst.reward!;
        if (gap <= 0 || gap < o.minGap) {
          ties += 1;
          continue;
        }
        const pair = bestWorstPair(sampleId, best, worst, { source });
        if (pair) pairs.push(pair);
      }
      return { pairs, metrics: { 'pairs/self-critic/pairs': pairs.length, 'pairs/self-critic/skipped_ties': ties } };
    },
  }),
});
