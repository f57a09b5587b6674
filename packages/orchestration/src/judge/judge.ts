import type { InjectionToken } from 'tsyringe';

/** What a judge sees of one planner rollout. */
export interface JudgeRequest {
  /** The original user query (the sample's first user message). */
  question: string;
  /** Gold answers (aliases). */
  gold: string[];
  /** The extracted answer (last `\boxed{}` for MATPO), or undefined when there is none. */
  answer: string | undefined;
  /** The planner's whole final message. */
  response: string;
}

/**
 * An accuracy source for `reward/matpo`: grades one planner answer in [0, 1]. Throw (or reject) when no
 * grade could be obtained; the reward then scores accuracy 0, as MATPO's released code does on a judge failure.
 */
export interface AccuracyJudge {
  grade(request: JudgeRequest): Promise<number>;
}

/**
 * Token under which a host registers its own `AccuracyJudge` for `reward/matpo` with `accuracy.source:
 * 'service'` (e.g. `createPolicyJudge` around a tirl policy, or any other grader).
 */
export const ACCURACY_JUDGE: InjectionToken<AccuracyJudge> = Symbol.for('tirl:orchestration:accuracy-judge');

/**
 * The SimpleQA grading instruction MATPO's judge uses, shortened (MATPO arXiv 2510.04678 §4.1: gpt-4o-mini
 * with the SimpleQA grader; grade A = correct → 1, B incorrect and C not attempted → 0).
 */
export const DEFAULT_JUDGE_PROMPT = [
  'Your job is to grade a predicted answer to a question against the gold target.',
  'Question: {question}',
  'Gold target: {gold}',
  'Predicted answer: {answer}',
  'Grade it as one of: A: CORRECT, B: INCORRECT, C: NOT_ATTEMPTED. Reply with the letter only.',
].join('\n');

/** MATPO's grade table: A → 1, B and C → 0. */
export const DEFAULT_GRADES: Readonly<Record<string, number>> = { A: 1, B: 0, C: 0 };

/** The judge prompt for a request: `{question}`, `{gold}` (aliases joined by " | "), `{answer}`, `{response}` filled in. */
export function judgePrompt(template: string, r: JudgeRequest): string {
  const values: Record<string, string> = { question: r.question, gold: r.gold.join(' | '), answer: r.answer ?? '', response: r.response };
  return template.replace(/\{(question|gold|answer|response)\}/g, (_, k: string) => values[k]);
}

/** The score of the first standalone grade letter of `reply` that `grades` knows; throws when there is none. */
export function parseGrade(reply: string, grades: Readonly<Record<string, number>>): number {
  for (const m of reply.matchAll(/\b([A-Za-z])\b/g)) {
    const g = m[1].toUpperCase();
    if (g in grades) return grades[g];
  }
  throw new Error(`no grade (${Object.keys(grades).join('/')}) in the judge's reply "${reply.slice(0, 80)}"`);
}
