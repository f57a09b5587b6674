import type { Sample } from '@tirl/core';
import { z } from 'zod';

export const SWARM_PROTOCOL = 1;

/** Bounds that keep one peer's message from exhausting a node's memory. */
const MAX_TEXT = 200_000;
const MAX_COMPLETIONS = 256;

/**
 * One question a node rolled out, as the swarm sees it (Swarm SAPO, arXiv 2509.08721 §3): the question
 * with its ground truth and metadata, and the decoded completions of its group. No token ids, log-probs or
 * weights travel: every receiver re-tokenises and re-scores with its own model and reward.
 */
export interface SharedRollout {
  node: string;
  /** The publisher's step. */
  round: number;
  sample: Sample;
  completions: string[];
}

const message = z.object({ role: z.string().min(1).max(64), content: z.string().max(MAX_TEXT) }).strict();

export const sharedRolloutSchema = z
  .object({
    protocol: z.literal(SWARM_PROTOCOL),
    node: z.string().min(1).max(128),
    round: z.number().int().nonnegative(),
    sample: z
      .object({
        id: z.string().min(1).max(512),
        messages: z.array(message).min(1).max(64),
        answer: z.unknown().optional(),
        difficulty: z.number().min(0).max(1).optional(),
        meta: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
    completions: z.array(z.string().max(MAX_TEXT)).min(1).max(MAX_COMPLETIONS),
  })
  .strict();

export function encodeSharedRollout(r: SharedRollout): string {
  const { id, messages, answer, difficulty, meta } = r.sample;
  return JSON.stringify({
    protocol: SWARM_PROTOCOL,
    node: r.node,
    round: r.round,
    sample: { id, messages, ...(answer !== undefined ? { answer } : {}), ...(difficulty !== undefined ? { difficulty } : {}), ...(meta ? { meta } : {}) },
    completions: r.completions,
  });
}

/** A peer's message, or the reason it is refused (not JSON, another protocol, a field out of bounds). */
export function decodeSharedRollout(text: string): { rollout: SharedRollout } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'not JSON' };
  }
  const parsed = sharedRolloutSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `${issue.path.join('.') || 'message'}: ${issue.message}` };
  }
  const { node, round, sample, completions } = parsed.data;
  return { rollout: { node, round, sample: sample as Sample, completions } };
}
