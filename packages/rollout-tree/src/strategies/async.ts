import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { engineOptionsShape } from '../engine/engine';
import { linearRollout } from './linear';

const options = z
  .object({
    ...engineOptionsShape,
    countSharedOnce: z.boolean().default(true),
  })
  .strict();

/**
 * VerlTool's asynchronous rollout: the trees of `rollout/linear`, but every trajectory loops on its own —
 * it generates its next turn as soon as its own tool calls return instead of waiting for the slowest call
 * of the batch. Generate requests that arrive together still share a batched decode; each trajectory turn
 * samples from its own seeded stream, so the tokens are those of the turn-synchronous schedule.
 */
export const asyncRollout = definePlugin({
  kind: 'rollout',
  name: 'async',
  summary: 'n multi-turn tool rollouts per prompt, each advancing on its own (trajectory-level asynchrony); same tokens as rollout/linear under a seed',
  paper: { title: 'VerlTool: Towards Holistic Agentic Reinforcement Learning with Tool Use', arxiv: '2509.01055', section: 'trajectory-level asynchronous rollout (abstract; released code verl_tool/agent_loop/verltool_agent_loop.py)' },
  options,
  create: (opts, ctx) => linearRollout.create({ ...opts, schedule: 'trajectory' }, ctx),
});
