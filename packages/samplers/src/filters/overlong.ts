import { definePlugin, type FinishReason, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { maskTrajectory, oncePerGroup } from './metric';

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
    const isHit = (t: Trajectory) => t.finishReason !== undefined && options.reasons.includes(t.finishReason);
    const apply = oncePerGroup((g) => {
      if (!g.trajectories.some(isHit)) return g;
      if (options.mode === 'drop') return { ...g, trajectories: g.trajectories.filter((t) => !isHit(t)) };
      return { ...g, trajectories: g.trajectories.map((t) => (isHit(t) ? maskTrajectory(t, 'overlong') : t)) };
    });
    return {
      filter({ groups }) {
        const hits = groups.reduce((n, g) => n + g.trajectories.filter(isHit).length, 0);
        const out = groups.map(apply).filter((g) => g.trajectories.length > 0);
        return { groups: out, metrics: { 'filter/overlong/truncated': hits } };
      },
    };
  },
});
