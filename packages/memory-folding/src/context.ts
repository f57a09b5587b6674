import type { Segment, Tokenizer, Trajectory } from '@tirl/core';
import { z } from 'zod';

/** `triggerFraction`: share of the context budget at which the manager runs (0 < f ≤ 1). */
export const triggerField = (value: number) => z.number().gt(0).max(1).default(value);

/** The leading prompt segments of a trajectory (the original task). */
export function promptSegments(t: Trajectory): Segment[] {
  const out: Segment[] = [];
  for (const s of t.segments) {
    if (s.source !== 'prompt') break;
    out.push({ ...s, tokenIds: [...s.tokenIds] });
  }
  return out;
}

/** Everything after the prompt. */
export function historySegments(t: Trajectory): Segment[] {
  return t.segments.slice(promptSegments(t).length);
}

/** A masked segment of text the manager injects into the context (never trained). */
export function injected(tokenizer: Tokenizer, role: string, text: string): Segment {
  return { source: 'injected', role, tokenIds: tokenizer.encode(text, { addSpecialTokens: false }), text };
}

/**
 * The last `n` tokens of `segments`, carried into a new context as `injected` tokens: they were trained
 * in the row that generated them and must not be trained twice.
 */
export function carriedTail(segments: readonly Segment[], n: number, tokenizer: Tokenizer): Segment[] {
  const out: Segment[] = [];
  let left = n;
  for (let i = segments.length - 1; i >= 0 && left > 0; i--) {
    const ids = segments[i].tokenIds.slice(Math.max(0, segments[i].tokenIds.length - left));
    left -= ids.length;
    if (ids.length) out.unshift({ source: 'injected', role: segments[i].role, tokenIds: ids, text: tokenizer.decode(ids) });
  }
  return out;
}

export const tokenCount = (segments: readonly Segment[]) => segments.reduce((n, s) => n + s.tokenIds.length, 0);
