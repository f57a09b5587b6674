import { definePlugin, policyText } from '@tirl/core';
import { z } from 'zod';
import { extractAnswer } from '../text/extract';
import { normalizeAnswer } from '../text/normalize';
import { requireGold } from '../util/gold';
import { scoreRoots } from '../util/score-each';

/** Exact match of the final answer (`<answer>`, `\boxed{}`, `Final answer:`) against the gold answers. */
export const exactMatch = definePlugin({
  kind: 'reward',
  name: 'exact-match',
  summary: 'Exact match of the extracted final answer with any gold answer; normalised (SQuAD) by default',
  paper: { title: 'Search-R1: Training LLMs to Reason and Leverage Search Engines with RL', arxiv: '2503.09516', section: '3.3 (EM reward)' },
  options: z
    .object({
      /** Compare SQuAD-normalised text (case, punctuation, articles, whitespace) instead of the raw text. */
      normalize: z.boolean().default(true),
      /** Score of a match. */
      correct: z.number().default(1),
      /** Score of a miss (DAPO uses −1). */
      incorrect: z.number().default(0),
      /** Score when no final answer can be extracted (default: same as a miss). */
      noAnswer: z.number().optional(),
    })
    .strict(),
  create(options) {
    const same = (a: string, b: string) => (options.normalize ? normalizeAnswer(a) === normalizeAnswer(b) : a.trim() === b.trim());
    return {
      score: (input) =>
        scoreRoots(input, (t, sample) => {
          const gold = requireGold(sample, 'reward/exact-match');
          const answer = extractAnswer(policyText(t));
          if (answer === undefined) return options.noAnswer ?? options.incorrect;
          return gold.some((g) => same(answer, g)) ? options.correct : options.incorrect;
        }),
    };
  },
});
