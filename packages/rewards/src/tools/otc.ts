import { definePlugin, type RewardInput, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { outcomeCheckSchema, outcomeScore } from '../outcome/check';
import { assemble, groupIndices, safely } from '../util/score-each';

/**
 * OTC tool-efficiency coefficient for m calls when the optimal count is n (paper Eq. 6-7):
 * n undefined → cos(mπ/(2m+c)); n = m = 0 → 1; n = 0 → cos(mπ/(2m+c)); else sin(f·π/(2n)), f = 2nm/(m+n).
 */
export function otcToolCoefficient(m: number, n: number | undefined, c: number): number {
  if (n === undefined || n === 0) return m === 0 ? 1 : Math.cos((m * Math.PI) / (2 * m + c));
  const f = (2 * n * m) / (m + n);
  return Math.sin((f * Math.PI) / (2 * n));
}

/** Calls that were actually executed (a call that did not parse never ran). */
export function executedCalls(t: Trajectory): number {
  return t.toolCalls.filter((c) => c.error !== 'parse').length;
}

interface Seen {
  sampleId: string;
  calls: number;
  correct: boolean;
}

/** OTC-PO: α · r_tool(m, n) · r_outcome, with n the (running) minimum call count of correct rollouts. */
export const otc = definePlugin({
  kind: 'reward',
  name: 'otc',
  summary: 'OTC tool efficiency: outcome × a sin/cos coefficient that peaks when the call count equals the fewest calls of a correct rollout',
  paper: { title: 'OTC: Optimal Tool Calls via Reinforcement Learning', arxiv: '2504.14870', section: '3.3, Eq. 5-7; §4.1 (c, α)' },
  options: z
    .object({
      /** How the outcome r_φ is scored. */
      check: outcomeCheckSchema.default('normalized-exact'),
      /** A rollout is correct when its outcome score is ≥ this. */
      correctThreshold: z.number().min(0).max(1).default(1),
      /** Smoothing constant c: the setting's max tool calls (Search-R1: 4, ToRL: 3). */
      c: z.number().positive().default(4),
      /** Scale α. */
      alpha: z.number().positive().default(1),
      /** `global`: n is the running minimum across steps per sample (the paper's choice); `local`: within the group; `ppo`: no n (cosine decay). */
      mode: z.enum(['global', 'local', 'ppo']).default('global'),
    })
    .strict(),
  create(options) {
    let minCalls: Record<string, number> = {};
    let seen = new Map<string, Seen>();
    return {
      score(input: RewardInput) {
        seen = new Map();
        const results = input.trajectories.map((t) =>
          safely(() => {
            const root = t.parentId === undefined ? t : input.trajectories.find((r) => r.id === t.rootId);
            if (!root) throw new Error(`reward/otc: root "${t.rootId}" of "${t.id}" is not in the batch`);
            const outcome = outcomeScore(options.check, root, input.samples.get(root.sampleId), 'reward/otc');
            seen.set(root.id, { sampleId: root.sampleId, calls: executedCalls(root), correct: outcome >= options.correctThreshold });
            return outcome;
          }),
        );
        const groups = groupIndices(input.trajectories, (t) => t.groupId);
        const localMin = new Map<string, number>();
        for (const indices of groups.values()) {
          for (const i of indices) {
            const s = seen.get(input.trajectories[i].rootId);
            if (s?.correct) localMin.set(input.trajectories[i].groupId, Math.min(localMin.get(input.trajectories[i].groupId) ?? Infinity, s.calls));
          }
        }
        return assemble(
          input.trajectories.map((t, i) => {
            const r = results[i];
            const s = seen.get(t.rootId);
            if (!s || !Number.isFinite(r.score)) return r;
            const local = localMin.get(t.groupId);
            const stored = minCalls[s.sampleId];
            const n = options.mode === 'ppo' ? undefined : options.mode === 'local' ? local : minOf(local, stored);
            const tool = otcToolCoefficient(s.calls, n, options.c);
            return { score: options.alpha * tool * r.score, components: { tool, calls: s.calls, outcome: r.score } };
          }),
        );
      },
      observe(input: RewardInput) {
        if (options.mode !== 'global') return;
        for (const t of input.trajectories) {
          const s = seen.get(t.id);
          if (s?.correct) minCalls[s.sampleId] = Math.min(minCalls[s.sampleId] ?? Infinity, s.calls);
        }
      },
      state: () => ({ minCalls: { ...minCalls } }),
      loadState(state: unknown) {
        const m = (state as { minCalls?: Record<string, number> } | undefined)?.minCalls;
        minCalls = m && typeof m === 'object' ? { ...m } : {};
      },
    };
  },
});

function minOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
