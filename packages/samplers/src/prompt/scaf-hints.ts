import { definePlugin, type Sample } from '@tirl/core';
import { z } from 'zod';
import { EpochOrder, type EpochOrderState } from './epoch-order';

interface HintState {
  failStreak: number;
  level: number;
}

/** The sample with its first `level` hints appended to the last user message (cumulative tiers). */
export function withHints(sample: Sample, level: number, template: string): Sample {
  const hints = (sample.hints ?? []).slice(0, level);
  if (hints.length === 0) return sample;
  const text = hints.map((h, i) => template.replace('{level}', String(i + 1)).replace('{hint}', h)).join('\n');
  const messages = sample.messages.map((m) => ({ ...m }));
  const last = messages.map((m) => m.role).lastIndexOf('user');
  if (last >= 0) messages[last].content = `${messages[last].content}\n\n${text}`;
  else messages.push({ role: 'user', content: text });
  return { ...sample, messages, meta: { ...(sample.meta ?? {}), hintLevel: hints.length } };
}

/**
 * Scaf-GRPO-style scaffolding as a sampler: after `warmupSteps`, a prompt whose rollouts all failed for
 * `patience` consecutive visits is served with one more tier of its `sample.hints` (cumulative); a visit
 * with a success removes one tier again.
 */
export const scafHints = definePlugin({
  kind: 'sampler',
  name: 'scaf-hints',
  summary: 'Scaf-GRPO tiered hints: prompts stuck at all-wrong get cumulative hints from sample.hints after a warm-up',
  paper: { title: 'Scaf-GRPO: Scaffolded Group Relative Policy Optimization for Enhancing LLM Reasoning', arxiv: '2510.19807', section: '3 (warmup_steps 50; hint tiers)' },
  options: z
    .object({
      warmupSteps: z.number().int().nonnegative().default(50),
      /** Consecutive all-fail visits before the next tier. */
      patience: z.number().int().positive().default(1),
      /** A rollout counts as a success when its reward is ≥ this. */
      successThreshold: z.number().default(1),
      /** Line added per hint; `{level}` and `{hint}` are filled in. */
      template: z.string().includes('{hint}').default('Hint {level}: {hint}'),
      shuffle: z.boolean().default(true),
    })
    .strict(),
  create(options, ctx) {
    const order = new EpochOrder(ctx.rng, options.shuffle, ctx.id);
    let hintState: Record<string, HintState> = {};
    let lastStep = 0;
    let maxLevel: Record<string, number> = {};
    return {
      setDataset(samples) {
        order.setDataset(samples);
        maxLevel = Object.fromEntries(samples.map((s) => [s.id, s.hints?.length ?? 0]));
      },
      next(n, step) {
        lastStep = step;
        return order.next(n).map((sample) => ({ sample: withHints(sample, hintState[sample.id]?.level ?? 0, options.template) }));
      },
      observe(results) {
        for (const r of results) {
          const s = hintState[r.sampleId] ?? { failStreak: 0, level: 0 };
          if (r.rewards.some((x) => x >= options.successThreshold)) {
            s.failStreak = 0;
            s.level = Math.max(0, s.level - 1);
          } else if (r.rewards.length > 0) {
            s.failStreak++;
            if (lastStep >= options.warmupSteps && s.failStreak >= options.patience) {
              s.level = Math.min(maxLevel[r.sampleId] ?? 0, s.level + 1);
              s.failStreak = 0;
            }
          }
          hintState[r.sampleId] = s;
        }
      },
      state: () => ({ order: order.state(), hints: JSON.parse(JSON.stringify(hintState)), lastStep }),
      loadState(state) {
        const s = state as { order?: EpochOrderState; hints?: Record<string, HintState>; lastStep?: number } | undefined;
        order.loadState(s?.order);
        hintState = JSON.parse(JSON.stringify(s?.hints ?? {}));
        lastStep = s?.lastStep ?? 0;
      },
    };
  },
});
