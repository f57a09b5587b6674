import { definePlugin, policyText } from '@tirl/core';
import { z } from 'zod';
import { extractAnswer } from '../text/extract';
import { tokenF1 } from '../text/normalize';
import { requireGold } from '../util/gold';
import { scoreRoots } from '../util/score-each';

/** Token-level F1 (SQuAD) of the final answer against the best gold answer. */
export const tokenF1Reward = definePlugin({
  kind: 'reward',
  name: 'token-f1',
  summary: 'SQuAD token F1 between the extracted final answer and the best-matching gold answer',
  paper: { title: 'SQuAD: 100,000+ Questions for Machine Comprehension of Text', arxiv: '1606.05250', section: '6 (F1)' },
  options: z
    .object({
      /** Score when no final answer can be extracted. */
      noAnswer: z.number().default(0),
    })
    .strict(),
  create(options) {
    return {
      score: (input) =>
        scoreRoots(input, (t, sample) => {
          const gold = requireGold(sample, 'reward/token-f1');
          const answer = extractAnswer(policyText(t));
          if (answer === undefined) return options.noAnswer;
          return gold.reduce((best, g) => Math.max(best, tokenF1(answer, g)), 0);
        }),
    };
  },
});
