import type { Sample } from '@tirl/core';

/**
 * Reference answers of a sample: a string or number, an array of them (any may match), or an object with
 * `answer` / `answers`. Empty when the sample has none.
 */
export function goldAnswers(sample: Sample | undefined): string[] {
  return flatten(sample?.answer);
}

function flatten(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'bigint') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(flatten);
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return [...flatten(o.answer), ...flatten(o.answers)];
  }
  return [];
}

/** The gold answers, or a thrown message naming the sample (turned into a per-trajectory failure). */
export function requireGold(sample: Sample | undefined, origin: string): string[] {
  if (!sample) throw new Error(`${origin}: the trajectory's sample is not in the input's samples map`);
  const gold = goldAnswers(sample);
  if (gold.length === 0) throw new Error(`${origin}: sample "${sample.id}" has no answer (set sample.answer)`);
  return gold;
}
