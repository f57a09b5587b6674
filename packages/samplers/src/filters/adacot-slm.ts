import { definePlugin, Tokens, type Segment, type Tokenizer, type Trajectory, type TrajectoryGroup } from '@tirl/core';
import { z } from 'zod';
import { oncePerGroup } from './metric';

/** How far into the first policy segment the think-open marker is looked for (tokens). */
const SEARCH_TOKENS = 32;

/**
 * Index, within the first policy segment, of the decision token: the first policy token after the
 * think-open marker (`</think>` = skip reasoning, anything else = reason). The marker is either the
 * policy's own first tokens or the end of the prompt (a chat template that opens the block). Found on
 * token ids by decoding prefixes, never by re-tokenising text. `undefined` when there is no marker.
 */
export function decisionTokenIndex(t: Trajectory, tokenizer: Tokenizer, open: string): { segment: number; index: number } | undefined {
  const at = t.segments.findIndex((s) => s.source === 'policy');
  if (at === -1) return undefined;
  const policy = t.segments[at];
  const before = t.segments.slice(0, at).flatMap((s) => s.tokenIds);
  const tail = tokenizer.decode(before.slice(-SEARCH_TOKENS), { skipSpecialTokens: false });
  if (tail.trimEnd().endsWith(open)) return policy.tokenIds.length ? { segment: at, index: 0 } : undefined;
  for (let k = 1; k <= Math.min(policy.tokenIds.length - 1, SEARCH_TOKENS); k++) {
    const text = tokenizer.decode(policy.tokenIds.slice(0, k), { skipSpecialTokens: false }).trimStart();
    if (text.startsWith(open)) return { segment: at, index: k };
    if (!open.startsWith(text.slice(0, open.length))) return undefined;
  }
  return undefined;
}

/** The policy segment with token `index` moved into an `injected` (untrained) segment of its own. */
function splitOut(s: Segment, index: number): Segment[] {
  const part = (from: number, to: number, source: Segment['source']): Segment => {
    const seg: Segment = { source, role: s.role, tokenIds: s.tokenIds.slice(from, to) };
    if (s.turn !== undefined) seg.turn = s.turn;
    if (source === 'policy') {
      if (s.logProbs) seg.logProbs = s.logProbs.slice(from, to);
      if (s.entropies) seg.entropies = s.entropies.slice(from, to);
    }
    return seg;
  };
  return [part(0, index, 'policy'), part(index, index + 1, 'injected'), part(index + 1, s.tokenIds.length, 'policy')].filter((x) => x.tokenIds.length > 0);
}

/**
 * AdaCoT Selective Loss Masking: in RL stages whose data are skewed toward one decision, the decision
 * token (the first token after `<think>`) is taken out of the loss so the stage cannot collapse the
 * triggering boundary; every other token trains. Stage-scoped by step range.
 */
export const adacotSlm = definePlugin({
  kind: 'filter',
  name: 'adacot-slm',
  summary: 'AdaCoT selective loss masking: the decision token after <think> (skip or reason) is not trained during the chosen steps',
  paper: {
    title: 'AdaCoT: Pareto-Optimal Adaptive Chain-of-Thought Triggering via Reinforcement Learning',
    arxiv: '2505.11896',
    section: '3.4 (Selective Loss Masking; which token is masked is unverified: tirl masks the first token after <think>)',
  },
  inject: { tokenizer: Tokens.tokenizer },
  options: z
    .object({
      thinkOpen: z.string().min(1).default('<think>'),
      /** First step (inclusive) of the masked stage. */
      fromStep: z.number().int().nonnegative().default(0),
      /** Step at which masking stops (exclusive); absent = to the end of training. */
      untilStep: z.number().int().positive().optional(),
    })
    .strict()
    .refine((o) => o.untilStep === undefined || o.untilStep > o.fromStep, { path: ['untilStep'], message: 'must be greater than fromStep' }),
  create(o, ctx) {
    const tokenizer = ctx.services.tokenizer as Tokenizer | undefined;
    let masked = 0;
    const maskOne = (t: Trajectory): Trajectory => {
      if (!tokenizer) throw new Error('filter/adacot-slm: no tokenizer (the experiment provides Tokens.tokenizer)');
      const hit = decisionTokenIndex(t, tokenizer, o.thinkOpen);
      if (!hit) return t;
      masked++;
      const segments = t.segments.flatMap((s, i) => (i === hit.segment ? splitOut(s, hit.index) : [{ ...s }]));
      return { ...t, segments, meta: { ...(t.meta ?? {}), decisionTokenMasked: true } };
    };
    const apply = oncePerGroup((g: TrajectoryGroup) => ({ ...g, trajectories: g.trajectories.map(maskOne) }));
    return {
      filter({ groups, step }) {
        masked = 0;
        const active = step >= o.fromStep && (o.untilStep === undefined || step < o.untilStep);
        const out = active ? groups.map(apply) : groups;
        return { groups: out, metrics: { 'filter/adacot-slm/masked': masked, 'filter/adacot-slm/active': active ? 1 : 0 } };
      },
    };
  },
});
