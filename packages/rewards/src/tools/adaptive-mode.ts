import { definePlugin, policyText, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { outcomeCheckSchema, outcomeScore } from '../outcome/check';
import { assemble, groupIndices, safely } from '../util/score-each';

/** The mode a rollout ran in: `meta.mode`, else the first `<tag>mode</tag>` of its own output. */
export function rolloutMode(t: Trajectory, tag: string): string | undefined {
  if (typeof t.meta?.mode === 'string') return t.meta.mode;
  const m = new RegExp(`<${tag}>\\s*([^<]*?)\\s*</${tag}>`).exec(policyText(t));
  return m?.[1].toLowerCase() || undefined;
}

function known(mode: string | undefined, modes: readonly string[] | undefined): string | undefined {
  return mode !== undefined && modes !== undefined && !modes.includes(mode) ? undefined : mode;
}

/**
 * A²FM APO: acc × r_adaptive × r_format. p is the accuracy of the group's forced instant-mode rollouts
 * (`meta.forced === true`); when p ≥ τ the query is easy and a self-routed rollout that chose a
 * non-instant mode gets r_adaptive = 1 − p^α.
 */
export const adaptiveMode = definePlugin({
  kind: 'reward',
  name: 'adaptive-mode',
  summary: 'A²FM adaptive reward: accuracy × (1 − p^α for a non-instant mode on an easy query) × mode-tag format',
  paper: { title: 'A^2FM: An Adaptive Agent Foundation Model for Tool-Aware Hybrid Reasoning', arxiv: '2510.12838', section: '3.3 (APO reward)' },
  options: z
    .object({
      check: outcomeCheckSchema.default('normalized-exact'),
      /** Exponent α of the penalty. */
      alpha: z.number().positive().default(2),
      /** τ: the query is easy when the forced instant rollouts' accuracy is ≥ this (not given in the paper). */
      easyThreshold: z.number().min(0).max(1).default(0.5),
      instantMode: z.string().min(1).default('instant'),
      /** Tag the model declares its mode in. */
      modeTag: z.string().regex(/^[a-z_][a-z0-9_-]*$/i).default('classification'),
      /** Apply the penalty to forced rollouts too (they did not choose their mode). */
      penalizeForced: z.boolean().default(false),
      /** The known modes: a rollout declaring any other mode fails the format (unset: any mode counts). */
      modes: z.array(z.string().min(1)).min(1).optional(),
    })
    .strict()
    .refine((o) => !o.modes || o.modes.includes(o.instantMode), { message: 'instantMode must be one of modes', path: ['instantMode'] }),
  create(options) {
    return {
      score(input) {
        const results = new Array<ReturnType<typeof safely>>(input.trajectories.length);
        for (const indices of groupIndices(input.trajectories, (t) => t.groupId).values()) {
          const rows = indices.map((i) => input.trajectories[i]);
          const acc = rows.map((t) => safely(() => outcomeScore(options.check, t, input.samples.get(t.sampleId), 'reward/adaptive-mode')));
          const modes = rows.map((t) => known(rolloutMode(t, options.modeTag), options.modes));
          const forcedInstant = rows.map((t, k) => (t.meta?.forced === true && modes[k] === options.instantMode ? k : -1)).filter((k) => k >= 0);
          const p = forcedInstant.length ? forcedInstant.reduce((s, k) => s + (acc[k].score >= 1 ? 1 : 0), 0) / forcedInstant.length : 0;
          const easy = forcedInstant.length > 0 && p >= options.easyThreshold;
          indices.forEach((i, k) => {
            if (!Number.isFinite(acc[k].score)) return void (results[i] = acc[k]);
            const format = modes[k] !== undefined ? 1 : 0;
            const chooses = options.penalizeForced || rows[k].meta?.forced !== true;
            const adaptive = easy && chooses && format && modes[k] !== options.instantMode ? 1 - p ** options.alpha : 1;
            results[i] = { score: acc[k].score * adaptive * format, components: { accuracy: acc[k].score, adaptive, format, instantAccuracy: p } };
          });
        }
        return assemble(results);
      },
    };
  },
});
