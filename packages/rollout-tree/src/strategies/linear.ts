import { definePlugin, type RolloutInput, type RolloutStrategy } from '@tirl/core';
import { z } from 'zod';
import { engineOptionsShape } from '../engine/engine';
import { scheduleShape } from '../engine/options';
import { assembleTree } from '../engine/tree-builder';
import { startSiblings, treeIdFor, withEngine } from './common';

const options = z
  .object({
    ...engineOptionsShape,
    /** Mark the shared prompt as owned by the first rollout (prompt tokens are never trained anyway). */
    countSharedOnce: z.boolean().default(true),
    /** Unset or `turn`: each turn waits for every rollout of the batch; `trajectory`: each rollout advances on its own (VerlTool). */
    schedule: scheduleShape.optional(),
  })
  .strict();

/** n independent multi-turn rollouts per sample: a tree whose root has n leaves (a GRPO group). */
export const linearRollout = definePlugin({
  kind: 'rollout',
  name: 'linear',
  summary: 'n independent multi-turn tool rollouts per prompt; the tree is a root with n leaves (a GRPO group).',
  paper: { title: 'DeepSeekMath: Pushing the Limits of Mathematical Reasoning (GRPO)', arxiv: '2402.03300', section: '4.1' },
  options,
  create: (opts): RolloutStrategy => ({
    rollout: (input: RolloutInput) =>
      withEngine(input, opts, false, async (engine) => {
        const groups = input.samples.map(({ sample, rollouts }, k) => {
          const treeId = treeIdFor(sample, input.step, k);
          const { agents } = startSiblings(engine, sample, treeId, rollouts, (i) => `${treeId}/${i}`);
          return { treeId, sample, agents };
        });
        await engine.runToEnd(groups.flatMap((g) => g.agents));
        return groups.map((g) => assembleTree(engine, g.treeId, g.sample.id, g.agents, opts.countSharedOnce));
      }),
  }),
});
