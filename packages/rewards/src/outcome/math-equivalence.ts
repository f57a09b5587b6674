import { definePlugin, policyText } from '@tirl/core';
import { z } from 'zod';
import { mathEquivalent } from '../math/equivalence';
import { ANSWER_SOURCES, extractAnswer } from '../text/extract';
import { requireGold } from '../util/gold';
import { scoreRoots } from '../util/score-each';

/** Math answer equivalence by value (mathjs BigNumbers over a whitelisted parse tree, never `eval`). */
export const mathEquivalence = definePlugin({
  kind: 'reward',
  name: 'math-equivalence',
  summary: 'Final math answer (<answer>, \\boxed{}, "Final answer:") equal in value to the gold: integers, decimals, fractions, simple expressions',
  paper: { title: 'DAPO: An Open-Source LLM Reinforcement Learning System at Scale', arxiv: '2503.14476', section: 'math_dapo scorer (+1/−1)' },
  options: z
    .object({
      correct: z.number().default(1),
      /** DAPO's math scorer uses −1. */
      incorrect: z.number().default(0),
      noAnswer: z.number().optional(),
      /** Where the answer is looked for, in order. */
      sources: z.array(z.enum(ANSWER_SOURCES as unknown as ['answer-tag', 'boxed', 'final-answer'])).min(1).default(['answer-tag', 'boxed', 'final-answer']),
      /** Longest answer parsed as an expression; longer ones compare as text (a size guard). */
      maxChars: z.number().int().positive().max(10_000).default(200),
      /** Most parse-tree nodes evaluated (a time guard). */
      maxNodes: z.number().int().positive().max(10_000).default(64),
      /** Largest |exponent| evaluated in a^b. */
      maxExponent: z.number().positive().default(1000),
      /** Relative tolerance for non-integer values. */
      relTol: z.number().nonnegative().max(0.1).default(1e-9),
    })
    .strict(),
  create(options) {
    const guard = { maxChars: options.maxChars, maxNodes: options.maxNodes, maxExponent: options.maxExponent, relTol: options.relTol };
    return {
      score: (input) =>
        scoreRoots(input, (t, sample) => {
          const gold = requireGold(sample, 'reward/math-equivalence');
          const answer = extractAnswer(policyText(t), options.sources);
          if (answer === undefined) return options.noAnswer ?? options.incorrect;
          return gold.some((g) => mathEquivalent(answer, g, guard)) ? options.correct : options.incorrect;
        }),
    };
  },
});
