import { definePlugin, type FinishReason } from '@tirl/core';
import { z } from 'zod';
import { maskTrajectory } from './metric';

const TRUNCATED: readonly FinishReason[] = ['length', 'max_tokens', 'context'];

/** DAPO overlong filtering: truncated trajectories are masked out of the loss (or dropped). */
export const overlongFilter = definePlugin({
  kind: 'filter',
  name: 'overlong',
  summary: 'Overlong filtering: mask (or drop) trajectories that were truncated by the length limit',
  paper: { title: 'DAPO: An Open-Source LLM Reinforcement Learning System at Scale', arxiv: '2503.14476', section: '3.4 (overlong filtering)' },
  options: z
    .object({
      /** `mask`: meta.masked = true (kept in group statistics); `drop`: removed from its group. */
      mode: z.enum(['mask', 'drop']).default('mask'),
      /** Finish reasons that count as truncated. */
      reasons: z.array(z.enum(['stop', 'length', 'max_turns', 'max_tokens', 'max_tool_calls', 'context', 'error'])).min(1).default([...TRUNCATED]),
    })
    .strict(),
  create(options) {
    return {
      filter({ groups }) {
        let hits = 0;
        const out = groups
          .map((g) => {
            const isHit = (t: (typeof g.trajectories)[number]) => t.finishReason !== undefined && options.reasons.includes(t.finishReason);
            hits += g.trajectories.filter(isHit).length;
            if (options.mode === 'drop') return { ...g, trajectories: g.trajectories.filter((t) => !isHit(t)) };
            g.trajectories.filter(isHit).forEach((t) => maskTrajectory(t, 'overlong'));
            return g;
          })
          .filter((g) => g.trajectories.length > 0);
        return { groups: out, metrics: { 'filter/overlong/truncated': hits } };
      },
    };
  },
});
