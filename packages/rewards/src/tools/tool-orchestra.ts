import { definePlugin } from '@tirl/core';
import { z } from 'zod';
import { outcomeCheckSchema, outcomeScore } from '../outcome/check';
import { assemble, groupIndices, safely } from '../util/score-each';

const preferenceSchema = z
  .object({
    /** Weight of each tool's call count (by name). */
    tools: z.record(z.string(), z.number().min(0).max(1)).default({}),
    outcome: z.number().min(0).max(1).default(1),
    compute: z.number().min(0).max(1).default(1),
    latency: z.number().min(0).max(1).default(0),
  })
  .strict();

/** (x − min) / (max − min) over the group; 0 when every value is the same. */
export function minMax(values: readonly number[]): number[] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
}

/**
 * ToolOrchestra: for solved rollouts, the preference-weighted dot product of group-min-max-normalised
 * features [tool call counts, outcome, −cost, −latency]; 0 for unsolved ones.
 */
export const toolOrchestra = definePlugin({
  kind: 'reward',
  name: 'tool-orchestra',
  summary: 'ToolOrchestra outcome-gated preference reward over group-normalised tool counts, outcome, −cost and −latency',
  paper: { title: 'ToolOrchestra: Elevating Intelligence via Efficient Model and Tool Orchestration', arxiv: '2511.21689', section: '3.2' },
  options: z
    .object({
      check: outcomeCheckSchema.default('normalized-exact'),
      /** A rollout is solved when its outcome score is ≥ this. */
      correctThreshold: z.number().min(0).max(1).default(1),
      /** Default preference vector P; `sample.meta.preference` (same shape) overrides it per sample. */
      preference: preferenceSchema.default({ tools: {}, outcome: 1, compute: 1, latency: 0 }),
    })
    .strict(),
  create(options) {
    return {
      score(input) {
        const n = input.trajectories.length;
        const results = new Array<ReturnType<typeof safely>>(n);
        for (const indices of groupIndices(input.trajectories, (t) => t.groupId).values()) {
          const rows = indices.map((i) => input.trajectories[i]);
          const sample = input.samples.get(rows[0].sampleId);
          const parsed = preferenceSchema.safeParse(sample?.meta?.preference ?? options.preference);
          const outcomes = rows.map((t) => safely(() => outcomeScore(options.check, t, input.samples.get(t.sampleId), 'reward/tool-orchestra')));
          if (!parsed.success) {
            indices.forEach((i) => (results[i] = { score: NaN, failure: `reward/tool-orchestra: sample.meta.preference is invalid: ${parsed.error.message}` }));
            continue;
          }
          const p = parsed.data;
          const solved = outcomes.map((o) => (o.score >= options.correctThreshold ? 1 : 0));
          const features: [number, number[]][] = [
            ...Object.entries(p.tools).map(([name, w]) => [w, minMax(rows.map((t) => t.toolCalls.filter((c) => c.name === name).length))] as [number, number[]]),
            [p.outcome, minMax(solved)],
            [p.compute, minMax(rows.map((t) => -t.toolCalls.reduce((s, c) => s + (c.cost ?? 0), 0)))],
            [p.latency, minMax(rows.map((t) => -t.toolCalls.reduce((s, c) => s + (c.latencyMs ?? 0), 0)))],
          ];
          indices.forEach((i, k) => {
            if (!Number.isFinite(outcomes[k].score)) results[i] = outcomes[k];
            else results[i] = { score: solved[k] ? features.reduce((s, [w, v]) => s + w * v[k], 0) : 0, components: { solved: solved[k] } };
          });
        }
        return assemble(results);
      },
    };
  },
});
