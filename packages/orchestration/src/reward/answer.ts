import type { Trajectory } from '@tirl/core';

export type AnswerSource = 'boxed' | 'answer-tag' | 'final';

/** The content of the last `\boxed{…}` (balanced braces), or undefined. */
export function lastBoxed(text: string): string | undefined {
  const at = text.lastIndexOf('\\boxed{');
  if (at === -1) return undefined;
  let depth = 0;
  for (let i = at + '\\boxed'.length; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(at + '\\boxed{'.length, i);
  }
  return undefined;
}

export function lastAnswerTag(text: string): string | undefined {
  const matches = [...text.matchAll(/<answer>([\s\S]*?)<\/answer>/g)];
  return matches.at(-1)?.[1];
}

/** The root's final answer: from its final message (`meta.answer`, else its last policy text). */
export function predictedAnswer(t: Trajectory, source: AnswerSource): string | undefined {
  const final = typeof t.meta?.answer === 'string' ? t.meta.answer : [...t.segments].reverse().find((s) => s.source === 'policy')?.text;
  if (final === undefined) return undefined;
  if (source === 'boxed') return lastBoxed(final);
  if (source === 'answer-tag') return lastAnswerTag(final);
  return final;
}

/** SQuAD normalisation: lower case, no punctuation, no articles, single spaces. */
export function normalizeAnswer(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Gold answers of a sample: a string, a number, or a list of aliases. */
export function goldAliases(answer: unknown): string[] {
  if (Array.isArray(answer)) return answer.map(String);
  if (answer === undefined || answer === null) return [];
  return [String(answer)];
}

export function exactMatch(predicted: string | undefined, answer: unknown): number {
  if (predicted === undefined) return 0;
  const p = normalizeAnswer(predicted);
  return goldAliases(answer).some((g) => normalizeAnswer(g) === p) ? 1 : 0;
}
