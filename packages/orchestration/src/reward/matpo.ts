import { definePlugin, type RewardFunction, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { exactMatch, predictedAnswer } from './answer';
import { formatScore } from './format';

/**
 * One multi-agent rollout: the planner (the root and its own fold pieces) and its workers (each worker with
 * its own fold pieces).
 */
function rolloutParts(root: Trajectory, all: readonly Trajectory[]): { planner: Trajectory[]; workers: Trajectory[][] } {
  const members = all.filter((t) => t.rootId === root.id && t.id !== root.id);
  const isPiece = (t: Trajectory) => t.meta?.foldPiece !== undefined;
  const pieceOwner = (t: Trajectory) => t.parentId!;
  const planner = [root, ...members.filter((t) => isPiece(t) && pieceOwner(t) === root.id)];
  const workerHeads = members.filter((t) => !isPiece(t));
  const workers = workerHeads.map((w) => [w, ...members.filter((t) => isPiece(t) && pieceOwner(t) === w.id)]);
  return { planner, workers };
}

/**
 * MATPO reward of a full multi-agent rollout, given to its root and (for logging) to every worker row:
 * R = wAcc·acc + wFmt·(share·fmt_planner + (1 − share)·mean_t fmt(worker_t)).
 * Accuracy is exact match of the planner's final answer (the paper uses an LLM judge: put
 * `reward/llm-judge` in its place). With no worker, the worker term follows `emptyWorkers`.
 */
export const matpoReward = definePlugin({
  kind: 'reward',
  name: 'matpo',
  summary: 'MATPO reward: 0.9·root accuracy + 0.1·(planner format, worker format averaged per role)',
  paper: { title: 'Multi-Agent Tool-Integrated Policy Optimization', arxiv: '2510.04678', section: '3.2 (reward)' },
  options: z
    .object({
      accuracyWeight: z.number().min(0).default(0.9),
      formatWeight: z.number().min(0).default(0.1),
      /** Planner share of the format term; the worker mean gets the rest (paper 0.5 / 0.5). */
      plannerShare: z.number().min(0).max(1).default(0.5),
      /**
       * No worker spawned: `drop` renormalises to the planner term alone (paper formula leaves it undefined),
       * `zero` scores the worker term 0 (released code), `one` scores it 1.
       */
      emptyWorkers: z.enum(['drop', 'zero', 'one']).default('drop'),
      /** Zero the format term unless the answer is correct (released code's gate_tool_format_reward). */
      gateFormat: z.boolean().default(false),
      /** Where the planner's answer is read: last `\boxed{}` (paper), last `<answer>` tag, or the whole final message. */
      answerSource: z.enum(['boxed', 'answer-tag', 'final']).default('boxed'),
    })
    .strict(),
  create: (o): RewardFunction => ({
    score({ trajectories, samples }) {
      const byRoot = new Map<string, { total: number; acc: number; fp: number; fw: number }>();
      for (const root of trajectories.filter((t) => t.parentId === undefined)) {
        const { planner, workers } = rolloutParts(root, trajectories);
        const acc = exactMatch(predictedAnswer(root, o.answerSource), samples.get(root.sampleId)?.answer);
        const fp = formatScore(planner.flatMap((t) => t.toolCalls));
        const workerScores = workers.map((w) => formatScore(w.flatMap((t) => t.toolCalls)));
        const fw = workerScores.length ? workerScores.reduce((a, b) => a + b, 0) / workerScores.length : o.emptyWorkers === 'one' ? 1 : 0;
        let format = workerScores.length || o.emptyWorkers !== 'drop' ? o.plannerShare * fp + (1 - o.plannerShare) * fw : fp;
        if (o.gateFormat && acc < 1) format = 0;
        byRoot.set(root.id, { total: o.accuracyWeight * acc + o.formatWeight * format, acc, fp, fw });
      }
      const rows = trajectories.map((t) => byRoot.get(t.rootId));
      const pick = (k: 'total' | 'acc' | 'fp' | 'fw') => rows.map((r) => (r ? r[k] : NaN));
      return {
        scores: pick('total'),
        components: { accuracy: pick('acc'), format_planner: pick('fp'), format_workers: pick('fw') },
      };
    },
  }),
});
