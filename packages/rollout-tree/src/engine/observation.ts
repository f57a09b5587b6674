import type { Segment } from '@tirl/core';
import type { Agent } from './agent';
import type { EngineContext } from './context';

/** Appends tokenised text as a masked segment, cut to the token and context limits; false when nothing fits. */
export function appendTokens(ctx: EngineContext, a: Agent, source: 'tool' | 'injected', text: string): boolean {
  const all = ctx.tokenizer.encode(text, { addSpecialTokens: false });
  const room = Math.min(ctx.input.limits.maxTotalTokens - a.responseTokens, ctx.input.policy.maxContext - ctx.session.length(a.row));
  const ids = all.slice(0, Math.max(0, room));
  if (ids.length === 0) return false;
  const seg: Segment = {
    source,
    role: a.role,
    tokenIds: ids,
    text: ids.length === all.length ? text : ctx.tokenizer.decode(ids),
    turn: a.turn - 1,
  };
  a.segments.push(seg);
  ctx.session.append(a.row, ids);
  a.responseTokens += ids.length;
  return ids.length === all.length;
}
