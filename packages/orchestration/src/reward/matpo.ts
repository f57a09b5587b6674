import { definePlugin, Tokens, type PluginContext, type RewardFunction, type Sample, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { accuracyShape, type AccuracyOptions } from '../judge/accuracy-options';
import { createEndpointJudge } from '../judge/endpoint-judge';
import { ACCURACY_JUDGE, type AccuracyJudge } from '../judge/judge';
import { createPolicyJudge } from '../judge/policy-judge';
import { userQuery } from '../text/query';
import { exactMatch, goldAliases, predictedAnswer } from './answer';
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

type Grader = (root: Trajectory, sample: Sample | undefined, answer: string | undefined) => Promise<number>;

/** The accuracy source the options name; judges are created once, on first use (the host may register them late). */
function graderFor(o: AccuracyOptions, ctx: PluginContext): Grader {
  if (o.source === 'exact-match') return async (_root, sample, answer) => exactMatch(answer, sample?.answer);
  let judge: AccuracyJudge | undefined;
  const judgeOf = (): AccuracyJudge => {
    if (judge) return judge;
    if (o.source === 'endpoint') {
      const apiKey = o.apiKeyEnv ? process.env[o.apiKeyEnv] : undefined;
      judge = createEndpointJudge({ ...o, ...(apiKey ? { apiKey } : {}) });
    } else if (o.source === 'policy') {
      if (!ctx.container.isRegistered(Tokens.policy, true)) {
        throw new Error('reward/matpo: accuracy.source "policy" needs a policy registered under Tokens.policy (services: [[Tokens.policy, judgePolicy]])');
      }
      judge = createPolicyJudge(ctx.resolve(Tokens.policy), o, ctx.rng.fork('judge'));
    } else {
      if (!ctx.container.isRegistered(ACCURACY_JUDGE, true)) {
        throw new Error('reward/matpo: accuracy.source "service" needs an AccuracyJudge registered under ACCURACY_JUDGE (services: [[ACCURACY_JUDGE, judge]])');
      }
      judge = ctx.resolve(ACCURACY_JUDGE);
    }
    return judge;
  };
  return (root, sample, answer) =>
    judgeOf().grade({
      question: userQuery(sample),
      gold: goldAliases(sample?.answer),
      answer,
      response: predictedAnswer(root, 'final') ?? '',
    });
}

/**
 * MATPO reward of a full multi-agent rollout, given to its root and (for logging) to every worker row:
 * R = wAcc·acc + wFmt·(share·fmt_planner + (1 − share)·mean_t fmt(worker_t)).
 * Accuracy comes from `accuracy` (exact match by default; the paper grades with an LLM judge: `endpoint`,
 * `policy` or `service`); a judge failure scores 0 (released code) and is counted in `judge_failed`.
 * `gateFormat` zeroes the format term unless that accuracy is 1. With no worker, the worker term follows `emptyWorkers`.
 */
export const matpoReward = definePlugin({
  kind: 'reward',
  name: 'matpo',
  summary: 'MATPO reward: 0.9·root accuracy (exact match or an LLM judge) + 0.1·(planner format, worker format averaged per role)',
  paper: { title: 'Multi-Agent Tool-Integrated Policy Optimization', arxiv: '2510.04678', section: '3.2 (reward), 4.1 (gpt-4o-mini judge, SimpleQA grader)' },
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
      /** Zero the format term unless the accuracy (from `accuracy`) is 1 (released code's gate_tool_format_reward). */
      gateFormat: z.boolean().default(false),
      /** Where the planner's answer is read: last `\boxed{}` (paper), last `<answer>` tag, or the whole final message. */
      answerSource: z.enum(['boxed', 'answer-tag', 'final']).default('boxed'),
      accuracy: accuracyShape,
    })
    .strict(),
  create: (o, ctx): RewardFunction => {
    const grade = graderFor(o.accuracy, ctx);
    return {
      async score({ trajectories, samples }) {
        const byRoot = new Map<string, { total: number; acc: number; fp: number; fw: number; failed: number }>();
        const roots = trajectories.filter((t) => t.parentId === undefined);
        const graded = await Promise.all(
          roots.map((root) =>
            grade(root, samples.get(root.sampleId), predictedAnswer(root, o.answerSource)).then(
              (acc) => ({ acc, failed: 0 }),
              () => ({ acc: 0, failed: 1 }),
            ),
          ),
        );
        roots.forEach((root, i) => {
          const { acc, failed } = graded[i];
          const { planner, workers } = rolloutParts(root, trajectories);
          const fp = formatScore(planner.flatMap((t) => t.toolCalls));
          const workerScores = workers.map((w) => formatScore(w.flatMap((t) => t.toolCalls)));
          const fw = workerScores.length ? workerScores.reduce((a, b) => a + b, 0) / workerScores.length : o.emptyWorkers === 'one' ? 1 : 0;
          let format = workerScores.length || o.emptyWorkers !== 'drop' ? o.plannerShare * fp + (1 - o.plannerShare) * fw : fp;
          if (o.gateFormat && acc < 1) format = 0;
          byRoot.set(root.id, { total: o.accuracyWeight * acc + o.formatWeight * format, acc, fp, fw, failed });
        });
        const rows = trajectories.map((t) => byRoot.get(t.rootId));
        const pick = (k: 'total' | 'acc' | 'fp' | 'fw' | 'failed') => rows.map((r) => (r ? r[k] : NaN));
        return {
          scores: pick('total'),
          components: { accuracy: pick('acc'), format_planner: pick('fp'), format_workers: pick('fw'), judge_failed: pick('failed') },
        };
      },
    };
  },
});
