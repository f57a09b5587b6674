import type { Sample, Trajectory } from '@tirl/core';
import { policyText } from '@tirl/core';
import { z } from 'zod';
import { DEFAULT_EQUIVALENCE, mathEquivalent } from '../math/equivalence';
import { extractAnswer } from '../text/extract';
import { normalizeAnswer, tokenF1 } from '../text/normalize';
import { requireGold } from '../util/gold';

/** How an answer is compared with the gold: exact text, normalised text, token F1, or math value. */
export const OUTCOME_CHECKS = ['exact', 'normalized-exact', 'f1', 'math'] as const;
export type OutcomeCheck = (typeof OUTCOME_CHECKS)[number];
export const outcomeCheckSchema = z.enum(OUTCOME_CHECKS);

/** The answer a response gives: its extracted final answer, else the whole text trimmed. */
export function predictedAnswer(text: string): string {
  return extractAnswer(text) ?? text.trim();
}

/** Score in [0, 1] of a prediction against several gold answers (the best one counts). */
export function compareAnswer(check: OutcomeCheck, prediction: string, gold: readonly string[]): number {
  const each = (g: string): number => {
    switch (check) {
      case 'exact':
        return prediction.trim() === g.trim() ? 1 : 0;
      case 'normalized-exact':
        return normalizeAnswer(prediction) === normalizeAnswer(g) ? 1 : 0;
      case 'f1':
        return tokenF1(prediction, g);
      case 'math':
        return mathEquivalent(prediction, g, DEFAULT_EQUIVALENCE) ? 1 : 0;
    }
  };
  return gold.reduce((best, g) => Math.max(best, each(g)), 0);
}

/** Outcome score of a trajectory's own output (throws a message when the sample has no gold). */
export function outcomeScore(check: OutcomeCheck, t: Trajectory, sample: Sample | undefined, origin: string): number {
  const gold = requireGold(sample, origin);
  return compareAnswer(check, predictedAnswer(policyText(t)), gold);
}
