import type { Segment, Tokenizer } from '@tirl/core';
import type { Agent } from './agent';

/** A half-open token range `[start, end)` over a trajectory's full row (prompt included). */
export type ActionSpan = [number, number];

/**
 * Records the tokens of `pieces` (exact substrings of the agent's latest policy segment, e.g. each tool
 * call's raw text, or the fold tag) as action spans over the agent's row (`meta.actionSpans`, read by
 * ToolPO's tool-call attribution). A piece not found in the segment's text is skipped.
 */
export function recordActionSpans(tokenizer: Tokenizer, a: Agent, pieces: readonly string[]): void {
  const index = lastPolicyIndex(a.segments);
  if (index === -1) return;
  const seg = a.segments[index];
  const text = seg.text ?? tokenizer.decode(seg.tokenIds, { skipSpecialTokens: true });
  const offset = rowOffset(a.segments, index);
  let from = 0;
  for (const piece of pieces) {
    if (!piece) continue;
    const at = text.indexOf(piece, from);
    if (at === -1) continue;
    from = at + piece.length;
    const span = tokenSpan(tokenizer, seg.tokenIds, at, at + piece.length);
    if (span[1] > span[0]) addSpan(a.actionSpans, [offset + span[0], offset + span[1]]);
  }
}

/** Spans covering whole `policy` segments (e.g. the memories a policy writes when it folds), given the row offset of `segments[0]`. */
export function policySegmentSpans(segments: readonly Segment[], start: number): ActionSpan[] {
  const spans: ActionSpan[] = [];
  let at = start;
  for (const s of segments) {
    if (s.source === 'policy' && s.tokenIds.length) spans.push([at, at + s.tokenIds.length]);
    at += s.tokenIds.length;
  }
  return spans;
}

/**
 * The tokens whose decoded text covers characters `[charStart, charEnd)` of `decode(ids)`: from the token
 * holding the first character to the token that completes the last. Prefix lengths are found by binary
 * search over decoded prefixes, so a multi-byte character split across tokens maps to all of them.
 */
export function tokenSpan(tokenizer: Tokenizer, ids: readonly number[], charStart: number, charEnd: number): ActionSpan {
  const prefixChars = (k: number) => tokenizer.decode(ids.slice(0, k), { skipSpecialTokens: true }).length;
  // Smallest k with prefixChars(k) ≥ target.
  const firstReaching = (target: number) => {
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (prefixChars(mid) >= target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const start = Math.max(0, firstReaching(charStart + 1) - 1);
  const end = firstReaching(charEnd);
  return [start, Math.max(start, end)];
}

function lastPolicyIndex(segments: readonly Segment[]): number {
  for (let i = segments.length - 1; i >= 0; i--) if (segments[i].source === 'policy') return i;
  return -1;
}

function rowOffset(segments: readonly Segment[], index: number): number {
  let n = 0;
  for (let i = 0; i < index; i++) n += segments[i].tokenIds.length;
  return n;
}

function addSpan(spans: ActionSpan[], span: ActionSpan): void {
  if (!spans.some(([s, e]) => s === span[0] && e === span[1])) spans.push(span);
}
