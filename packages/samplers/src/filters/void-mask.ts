import { definePlugin, policyText, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { maskTrajectory, oncePerGroup } from './metric';

/** Empty output, an error finish, or (when required) neither a tool call nor a final answer. */
export function isVoid(t: Trajectory, requireAnswerOrCall: boolean): boolean {
  const text = policyText(t).trim();
  if (text === '' || t.finishReason === 'error') return true;
  if (!requireAnswerOrCall) return false;
  return t.toolCalls.length === 0 && !/<answer>[\s\S]*?<\/answer>|\\boxed\s*\{|final answer/i.test(text);
}

/** Masks void trajectories out of the loss, so empty or broken rollouts push nothing. */
export const voidMask = definePlugin({
  kind: 'filter',
  name: 'void-mask',
  summary: 'Void-trajectory masking: rollouts with empty output, an error finish, or no call and no answer are masked out of the loss',
  paper: { title: 'SimpleTIR: End-to-End Reinforcement Learning for Multi-Turn Tool-Integrated Reasoning', arxiv: '2509.02479', section: '3 (void-turn filtering)' },
  options: z
    .object({
      /** Also count a rollout without any tool call or final answer as void. */
      requireAnswerOrCall: z.boolean().default(true),
      mode: z.enum(['mask', 'drop']).default('mask'),
    })
    .strict(),
  create(options) {
    const isHit = (t: Trajectory) => isVoid(t, options.requireAnswerOrCall);
    const apply = oncePerGroup((g) => {
      if (!g.trajectories.some(isHit)) return g;
      if (options.mode === 'drop') return { ...g, trajectories: g.trajectories.filter((t) => !isHit(t)) };
      return { ...g, trajectories: g.trajectories.map((t) => (isHit(t) ? maskTrajectory(t, 'void') : t)) };
    });
    return {
      filter({ groups }) {
        const hits = groups.reduce((n, g) => n + g.trajectories.filter(isHit).length, 0);
        const out = groups.map(apply).filter((g) => g.trajectories.length > 0);
        return { groups: out, metrics: { 'filter/void-mask/void': hits } };
      },
    };
  },
});
