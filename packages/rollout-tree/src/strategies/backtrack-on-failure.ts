import { definePlugin, type RolloutInput, type RolloutStrategy } from '@tirl/core';
import { z } from 'zod';
import type { Agent } from '../engine/agent';
import { engineOptionsShape, type RolloutEngine } from '../engine/engine';
import { assembleTree } from '../engine/tree-builder';
import { startSiblings, treeIdFor, withEngine } from './common';
import { isFailedExecution, keepResponse, turnAt, type ExecutionRule } from './step-cut';

const options = z
  .object({
    ...engineOptionsShape,
    /** Tokens removed from the response before the failed chunk on a retry (`backtrack_token`, argparse default 500). */
    backtrackTokens: z.number().int().nonnegative().default(500),
    /** Retries after consecutive failed executions of one rollout before the failed chunk is kept (`self_retry_num`, default 4). */
    selfRetryNum: z.number().int().nonnegative().default(4),
    /** Tool names that execute code. */
    codeTools: z.array(z.string().min(1)).min(1).default(['python']),
    /** An execution that printed nothing fails (the sandbox's "Done" needs exit code 0 and non-empty stdout). */
    emptyOutputFails: z.boolean().default(true),
  })
  .strict();

type Options = z.output<typeof options>;

/**
 * THOR's self-correction at inference (`BoN_policy_qwen3_multi_process.py`, `--self_retry`): when a turn's
 * code execution fails, that turn's chunk (its text, the call and the observation) is discarded, the last
 * `backtrackTokens` tokens of the response before it are removed (on token ids), and the rollout continues
 * generating from there; after `selfRetryNum` consecutive retries the failed chunk is kept and the counter
 * starts again. The counter is per rollout (the released script shares one across the batch loop). A retry
 * keeps its call charged and its turn counted, as the script counts interaction rounds. The rows that come
 * out hold only kept tokens, each with the log-prob it was sampled with in exactly that context.
 */
export const backtrackOnFailureRollout = definePlugin({
  kind: 'rollout',
  name: 'backtrack-on-failure',
  summary: 'THOR self-correction: a failed code execution discards its chunk, backs off backtrackTokens tokens and regenerates (≤ selfRetryNum times in a row per rollout)',
  paper: {
    title: 'THOR: Tool-Integrated Hierarchical Optimization via RL for Mathematical Reasoning',
    arxiv: '2509.13761',
    section: '3 (self-correction at inference); code inference/BoN_policy_qwen3_multi_process.py (backtrack_token 500, self_retry_num 4)',
  },
  options,
  create: (o): RolloutStrategy => ({
    rollout: (input: RolloutInput) => {
      let backtracks = 0;
      return withEngine(input, o, false, async (engine) => {
        const rule: ExecutionRule = { codeTools: o.codeTools, emptyOutputFails: o.emptyOutputFails };
        const groups = input.samples.map(({ sample, rollouts }, k) => {
          const treeId = treeIdFor(sample, input.step, k);
          return { treeId, sample, agents: startSiblings(engine, sample, treeId, rollouts, (i) => `${treeId}/${i}`).agents };
        });
        const retries = new Map<string, number>();
        for (let active = groups.flatMap((g) => g.agents); active.length; active = active.filter((a) => !a.done)) {
          await engine.turn(active);
          for (const a of active) {
            if (a.done || !a.lastTurnCalls) continue;
            const failed = a.toolCalls.slice(-a.lastTurnCalls).some((c) => isFailedExecution(c, rule));
            const tries = retries.get(a.id) ?? 0;
            if (!failed || tries >= o.selfRetryNum) {
              retries.set(a.id, 0);
              continue;
            }
            retries.set(a.id, tries + 1);
            backtracks++;
            const next = backtrack(engine, a, o);
            for (const g of groups) g.agents = g.agents.map((x) => (x === a ? next : x));
            active = active.map((x) => (x === a ? next : x));
          }
        }
        return groups.map((g) => assembleTree(engine, g.treeId, g.sample.id, g.agents, true));
      }).then((out) => ({ ...out, metrics: { ...(out.metrics ?? {}), 'rollout/backtracks': backtracks } }));
    },
  }),
});

/** A new agent (same id) holding the response before the failed turn less `backtrackTokens` tokens; the old one is dropped. */
function backtrack(engine: RolloutEngine, a: Agent, o: Options): Agent {
  const [prompt, ...response] = a.segments;
  const failedTurn = a.turn - 1;
  const chunkAt = response.findIndex((s) => s.source === 'policy' && s.turn === failedTurn);
  const before = response.slice(0, chunkAt === -1 ? response.length : chunkAt);
  const length = before.reduce((n, s) => n + s.tokenIds.length, 0);
  const kept = keepResponse(before, Math.max(0, length - o.backtrackTokens), engine.tokenizer);
  const keptTurn = turnAt(kept, kept.reduce((n, s) => n + s.tokenIds.length, 0));
  engine.discard(a);
  const next = engine.startRoot({ sample: a.sample, id: a.id, groupId: a.groupId, path: [] });
  const ids = kept.flatMap((s) => s.tokenIds);
  if (ids.length) engine.session.append(next.row, ids);
  const rowLength = engine.session.length(next.row);
  next.segments = [prompt, ...kept];
  next.toolCalls = a.toolCalls.filter((c) => c.turn < keptTurn);
  next.budget = a.budget.clone();
  next.turn = a.turn;
  next.responseTokens = ids.length;
  next.actionSpans = a.actionSpans.filter(([, end]) => end <= rowLength);
  next.path = [{ ...a.path[0], tokenOffset: prompt.tokenIds.length }];
  return next;
}
