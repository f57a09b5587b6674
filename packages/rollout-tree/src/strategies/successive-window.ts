import { definePlugin, TirlError, type RolloutInput, type RolloutStrategy, type RolloutTree, type Sample, type Segment, type ToolCallRecord } from '@tirl/core';
import { z } from 'zod';
import type { Agent } from '../engine/agent';
import { engineOptionsShape, type RolloutEngine } from '../engine/engine';
import { assembleTree } from '../engine/tree-builder';
import { startSiblings, treeIdFor, withEngine } from './common';

const options = z
  .object({
    ...engineOptionsShape,
    /** Tokens a response may grow per call (per generation turn): the T-PPO window. UNVERIFIED (the paper's value was not read). */
    window: z.number().int().positive().default(512),
    /** Unfinished responses carried to the next call at most (the oldest first); the rest are dropped. */
    maxPending: z.number().int().positive().default(4096),
    /** `trajectory.meta` flag of a response cut by the window (read by `advantage/egae`). */
    flagKey: z.string().min(1).default('windowTruncated'),
  })
  .strict();

/** An unfinished response carried to the next call. */
interface Pending {
  sample: Sample;
  groupId: string;
  baseId: string;
  windows: number;
  segments: Segment[];
  toolCalls: ToolCallRecord[];
  turns: number;
}

/**
 * T-PPO's successive batching: each call continues the responses the previous call's window cut (the
 * oldest first), then starts the new samples' rollouts; every response grows by at most `window` tokens per
 * generation turn. A response cut by the window is returned flagged `meta[flagKey] = true` (finish reason
 * `length`) and continued next call in a new row `…~w<k>` whose earlier tokens (prompt and previous
 * windows) are a masked prefix (`sharedPrefixLength`): only the newly generated tokens train, with the
 * behaviour log-probs of their own generation. Rewards see the whole response (earlier windows stay
 * `policy` segments). Responses that end (stop, the total token limit, turns) leave the pool. The pool is
 * part of the plugin's state (`state()`), so a resumed run continues the same responses.
 */
export const successiveWindowRollout = definePlugin({
  kind: 'rollout',
  name: 'successive-window',
  summary: 'T-PPO successive batching: responses grow by a window per step; cut ones continue next step with their earlier tokens masked',
  paper: { title: 'Truncated Proximal Policy Optimization', arxiv: '2506.15050', section: '3 (successive batching over truncated generations)' },
  options,
  create: (opts): RolloutStrategy & { state(): unknown; loadState(s: unknown): void } => {
    const { window, maxPending, flagKey, ...engineOpts } = opts;
    let pending: Pending[] = [];
    return {
      rollout: (input: RolloutInput) => {
        const windowed: RolloutInput = { ...input, decode: { ...input.decode, maxNewTokens: Math.min(input.decode.maxNewTokens, window) } };
        const carried = pending.slice(0, maxPending);
        pending = [];
        return withEngine(windowed, engineOpts, false, async (engine) => {
          const bySample = new Map<string, { sample: Sample; treeId: string; agents: Agent[]; prefix: Map<Agent, number> }>();
          const entry = (sample: Sample, k: number) => {
            let e = bySample.get(sample.id);
            if (!e) bySample.set(sample.id, (e = { sample, treeId: treeIdFor(sample, input.step, k), agents: [], prefix: new Map() }));
            return e;
          };
          carried.forEach((p, k) => {
            const e = entry(p.sample, input.samples.length + k);
            const a = continueAgent(engine, p, `${e.treeId}/c${k}`);
            e.agents.push(a);
            e.prefix.set(a, p.segments.reduce((n, s) => n + s.tokenIds.length, 0));
          });
          input.samples.forEach(({ sample, rollouts }, k) => {
            const e = entry(sample, k);
            e.agents.push(...startSiblings(engine, sample, `${e.treeId}/n`, rollouts, (i) => `${e.treeId}/${i}`).agents);
          });
          await engine.runToEnd([...bySample.values()].flatMap((e) => e.agents));
          const trees: RolloutTree[] = [];
          for (const e of bySample.values()) {
            const tree = assembleTree(engine, e.treeId, e.sample.id, e.agents, false);
            e.agents.forEach((a, i) => {
              const t = tree.trajectories[i];
              const prefix = e.prefix.get(a);
              if (prefix !== undefined) t.sharedPrefixLength = prefix;
              if (a.finishReason !== 'length') return;
              t.meta = { ...(t.meta ?? {}), [flagKey]: true };
              pending.push({
                sample: e.sample,
                groupId: a.groupId,
                baseId: baseIdOf(a.id),
                windows: windowsOf(a.id) + 1,
                segments: t.segments.map((s) => ({ ...s, tokenIds: [...s.tokenIds], ...(s.logProbs ? { logProbs: [...s.logProbs] } : {}) })),
                toolCalls: t.toolCalls.map((c) => ({ ...c })),
                turns: a.turn,
              });
            });
            trees.push(tree);
          }
          return trees;
        }).then((out) => ({
          ...out,
          // The continued responses answer samples the input did not ask for this time.
          samples: dedupe(carried.map((p) => p.sample)).filter((s) => !input.samples.some((x) => x.sample.id === s.id)),
          metrics: { ...(out.metrics ?? {}), 'rollout/continued': carried.length, 'rollout/pending': pending.length },
        }));
      },
      state: () => ({ pending }),
      loadState(state) {
        const list = (state as { pending?: unknown })?.pending;
        if (!Array.isArray(list)) throw new TirlError('rollout/successive-window: state must be { pending: [...] }', 'invalid-data');
        pending = list as Pending[];
      },
    };
  },
});

/** A new agent whose row holds the prompt and the earlier windows of `p`, continuing its last turn. */
function continueAgent(engine: RolloutEngine, p: Pending, id: string): Agent {
  const a = engine.startRoot({ sample: p.sample, id: `${p.baseId}~w${p.windows}`, groupId: p.groupId, path: [] });
  const after = p.segments.slice(1);
  const ids = after.flatMap((s) => s.tokenIds);
  if (ids.length) engine.session.append(a.row, ids);
  a.segments = p.segments.map((s) => ({ ...s }));
  a.toolCalls = p.toolCalls.map((c) => ({ ...c }));
  a.responseTokens = ids.length;
  // The window cut a turn in the middle: the next generation continues that turn.
  a.turn = Math.max(0, p.turns - 1);
  a.path.push({ id, tokenOffset: engine.session.length(a.row), turn: a.turn, reason: 'root', folds: 0 });
  return a;
}

function baseIdOf(id: string): string {
  return id.replace(/~w\d+$/, '');
}

function windowsOf(id: string): number {
  const m = /~w(\d+)$/.exec(id);
  return m ? Number(m[1]) : 0;
}

function dedupe(samples: Sample[]): Sample[] {
  return [...new Map(samples.map((s) => [s.id, s])).values()];
}
