import type { Segment, SegmentImage, Tokenizer } from '@tirl/core';
import type { Agent } from './agent';
import type { EngineContext } from './context';

/** Tokens an agent keeps free for its pending final turn. */
export function reserveOf(a: Agent): number {
  return a.finalPrompt ? (a.summaryReserve ?? 0) : 0;
}

/**
 * Tokens the agent may still append: the smaller of its total-token and context room; tool observations
 * (`keepReserve`) also leave the agent's summary reserve free.
 */
export function tokenRoom(ctx: EngineContext, a: Agent, keepReserve = false): number {
  const room = Math.min(ctx.input.limits.maxTotalTokens - a.responseTokens, ctx.input.policy.maxContext - ctx.session.length(a.row));
  return Math.max(0, room - (keepReserve ? reserveOf(a) : 0));
}

/**
 * Appends tokenised text as a masked segment, cut to the token and context limits (tool observations also
 * leave the agent's summary reserve free); false when nothing fits or the text was cut. Only as much of
 * the text is encoded as the room needs, so a huge observation costs the room, not its length.
 */
export function appendTokens(ctx: EngineContext, a: Agent, source: 'tool' | 'injected', text: string): boolean {
  const { ids, whole } = encodeAtMost(ctx.tokenizer, text, tokenRoom(ctx, a, source === 'tool'));
  if (ids.length === 0) return false;
  const seg: Segment = {
    source,
    role: a.role,
    tokenIds: ids,
    text: whole ? text : ctx.tokenizer.decode(ids),
    turn: a.turn - 1,
  };
  a.segments.push(seg);
  ctx.session.append(a.row, ids);
  a.responseTokens += ids.length;
  return whole;
}

/**
 * Shows a tool's images to a vision-language policy, after its text observation: each image becomes a
 * masked `tool` segment carrying the image and the tokens that stand for it. An image that would pass the
 * per-trajectory image-token cap (`limits.maxImageTokens`, counting every token an image adds) or the
 * token room is left out and a one-line note says so. Images in the prompt do not count against the cap. Text-only policies see the text alone.
 */
export function appendImages(ctx: EngineContext, a: Agent, images: readonly SegmentImage[]): void {
  const session = ctx.session;
  if (images.length === 0 || !session.acceptsImages || !session.appendImage || !session.imageTokenCost) return;
  const cap = ctx.input.limits.maxImageTokens ?? Infinity;
  for (const image of images) {
    // The cap counts the images tools showed; the prompt's own images are the sample's and always shown.
    const used = a.segments.reduce((n, s) => n + (s.source === 'tool' && s.images?.length ? s.tokenIds.length : 0), 0);
    const cost = session.imageTokenCost(image);
    if (used + cost > cap || cost > tokenRoom(ctx, a, true)) {
      const why = used + cost > cap ? `the image-token cap of ${cap} per trajectory is reached` : 'the context has no room for it';
      appendTokens(ctx, a, 'tool', `\n(image not shown: ${why})\n`);
      return;
    }
    const ids = session.appendImage(a.row, image);
    a.segments.push({ source: 'tool', role: a.role, tokenIds: ids, images: [image], turn: a.turn - 1 });
    a.responseTokens += ids.length;
  }
}

/** Tokens encoded past the cut, so the kept tokens do not depend on where the prefix was cut. */
const CUT_MARGIN_TOKENS = 16;

/**
 * The first `room` tokens of `text` (and whether that is all of it), encoding a growing prefix: it starts
 * at 4 characters per token of room and doubles until the prefix yields more tokens than the room (plus a
 * margin) or is the whole text. The cost is at most twice the encoding of the prefix that is needed.
 */
export function encodeAtMost(tokenizer: Tokenizer, text: string, room: number): { ids: number[]; whole: boolean } {
  if (room <= 0) return { ids: [], whole: text.length === 0 };
  let chars = Math.min(text.length, (room + CUT_MARGIN_TOKENS) * 4);
  for (;;) {
    const ids = tokenizer.encode(chars >= text.length ? text : text.slice(0, chars), { addSpecialTokens: false });
    if (chars >= text.length) return ids.length <= room ? { ids, whole: true } : { ids: ids.slice(0, room), whole: false };
    if (ids.length > room + CUT_MARGIN_TOKENS) return { ids: ids.slice(0, room), whole: false };
    chars = Math.min(text.length, chars * 2);
  }
}

/** Characters of one tool observation kept at most per token of room (far above any real tokenizer's average). */
const MAX_CHARS_PER_TOKEN = 32;

/**
 * A tool observation cut to what the agent's token room could ever show, copied so that the tool's
 * original (possibly huge) string is not kept alive by the record.
 */
export function capObservation(observation: string, room: number): string {
  const max = (room + CUT_MARGIN_TOKENS) * MAX_CHARS_PER_TOKEN;
  if (observation.length <= max) return observation;
  // Concatenation then slicing makes a flat copy; a plain slice would keep the whole original alive.
  return ` ${observation.slice(0, max)}`.slice(1);
}
