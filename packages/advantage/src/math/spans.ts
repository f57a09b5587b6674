import type { Batch, Trajectory } from '@tirl/core';

/** A half-open token range `[start, end)` over a row's full token sequence (prompt included). */
export type Span = [number, number];

/** Spans stored in `trajectory.meta[key]` as `[[start, end], ...]`; anything else gives none. */
export function metaSpans(t: Trajectory, key: string): Span[] {
  const raw = t.meta?.[key];
  if (!Array.isArray(raw)) return [];
  return raw.filter((s): s is Span => Array.isArray(s) && s.length === 2 && s.every((x) => Number.isInteger(x)));
}

/** Spans of the policy segments directly followed by a tool segment: the turns that issued tool calls. */
export function toolTurnSpans(t: Trajectory): Span[] {
  const spans: Span[] = [];
  let offset = 0;
  t.segments.forEach((seg, i) => {
    const next = t.segments[i + 1];
    if (seg.source === 'policy' && next?.source === 'tool') spans.push([offset, offset + seg.tokenIds.length]);
    offset += seg.tokenIds.length;
  });
  return spans;
}

/** Row-major 0/1 indicator `[B, T]` of the given per-row spans, restricted to the loss mask. */
export function spanMask(batch: Batch, spansOf: (b: number) => Span[]): Float32Array {
  const [B, T] = [batch.ids.shape[0], batch.ids.shape[1]];
  const out = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    if (batch.rowKinds[b] === 'pad') continue;
    for (const [start, end] of spansOf(b)) {
      for (let t = Math.max(0, start); t < Math.min(T, end); t++) out[b * T + t] = batch.lossMaskValues[b * T + t];
    }
  }
  return out;
}
