import { definePlugin, policyText } from '@tirl/core';
import { extractAnswer } from '@tirl/rewards';
import { z } from 'zod';

/**
 * Share of the gold answer's characters that the prediction has at the same position:
 * matches / max(|prediction|, |gold|), so extra characters cost as much as missing ones.
 */
export function charMatch(prediction: string, gold: string): number {
  const p = prediction.trim();
  const g = gold.trim();
  const longest = Math.max(p.length, g.length);
  if (longest === 0) return 1;
  let matches = 0;
  for (let i = 0; i < Math.min(p.length, g.length); i++) if (p[i] === g[i]) matches++;
  return matches / longest;
}

/**
 * Partial credit for the `<answer>`: position-by-position character match with the gold, times
 * `weight`. Summed with exact match it gives GRPO groups reward variance before any answer is
 * entirely right, which a model that has not yet learnt to copy needs.
 */
export const charMatchReward = definePlugin({
  kind: 'reward',
  name: 'char-match',
  summary: 'Partial credit: share of gold answer characters matched position by position, times weight',
  paper: { title: 'DeepSeekMath (GRPO): group-relative advantages need reward variance within a group', arxiv: '2402.03300', section: '4.1.2' },
  options: z
    .object({
      /** Score of a fully matching answer. */
      weight: z.number().positive().default(0.5),
    })
    .strict(),
  create(options) {
    return {
      score: (input) => ({
        scores: input.trajectories.map((t) => {
          const gold = input.samples.get(t.sampleId)?.answer;
          // No gold answer: this trajectory fails (NaN, recorded by the scorer) instead of the whole batch.
          if (gold === undefined) return Number.NaN;
          const answer = extractAnswer(policyText(t));
          return answer === undefined ? 0 : options.weight * charMatch(answer, String(gold));
        }),
      }),
    };
  },
});
