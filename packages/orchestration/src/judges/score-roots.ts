import type { RewardInput, RewardOutputWithFailures, Sample, Trajectory } from '@tirl/core';

export interface Judged {
  score: number;
  components?: Record<string, number>;
}

/**
 * Scores each root trajectory with `judge` (at most `concurrency` at once); sub-agent rows get their root's
 * result. A throw becomes a NaN score with the message (a failure the trainer records), never a crashed step.
 */
export async function judgeRoots(
  input: RewardInput,
  concurrency: number,
  judge: (root: Trajectory, sample: Sample | undefined) => Promise<Judged>,
): Promise<RewardOutputWithFailures> {
  const roots = input.trajectories.filter((t) => t.parentId === undefined);
  const results = new Map<string, Judged & { failure?: string }>();
  let next = 0;
  const worker = async () => {
    while (next < roots.length) {
      const t = roots[next++];
      try {
        results.set(t.id, await judge(t, input.samples.get(t.sampleId)));
      } catch (e) {
        results.set(t.id, { score: NaN, failure: e instanceof Error ? e.message : String(e) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, roots.length)) }, worker));
  const rows = input.trajectories.map((t) => results.get(t.rootId) ?? { score: NaN, failure: `root "${t.rootId}" of "${t.id}" is not in the batch` });
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.components ?? {})))];
  const failures = rows.map((r) => r.failure);
  return {
    scores: rows.map((r) => r.score),
    ...(keys.length ? { components: Object.fromEntries(keys.map((k) => [k, rows.map((r) => r.components?.[k] ?? NaN)])) } : {}),
    ...(failures.some((f) => f !== undefined) ? { failures } : {}),
  };
}

/** The text a judge grades: the root's final answer (`meta.answer`) or its last policy text. */
export function responseOf(t: Trajectory): string {
  if (typeof t.meta?.answer === 'string') return t.meta.answer;
  return [...t.segments].reverse().find((s) => s.source === 'policy')?.text ?? '';
}
