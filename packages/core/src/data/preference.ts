import type { ChatMessage, Tokenizer } from '../kinds/policy';
import type { Sample } from '../kinds/tool';
import { TirlError } from '../errors';

/**
 * The preference part of a sample (`sample.preference`): two responses to the sample's `messages`, the
 * first preferred. Guidance is optional per-token side information for each response (TGDPO's token
 * reward `log π_RM/π_ref`), one number per token of the response as the run's tokenizer encodes it.
 */
export interface PreferenceData {
  chosen: string;
  rejected: string;
  chosenGuidance?: number[];
  rejectedGuidance?: number[];
}

/** A tokenised preference pair: the prompt and each response as token ids (token-in, token-out). */
export interface PreferencePair {
  id: string;
  sampleId: string;
  promptIds: number[];
  chosenIds: number[];
  rejectedIds: number[];
  /** 1 on response tokens that are trained (tool observations inside a mined step are 0); default all 1. */
  chosenMask?: number[];
  rejectedMask?: number[];
  /** Per-token guidance aligned with `chosenIds` / `rejectedIds`. */
  chosenGuidance?: number[];
  rejectedGuidance?: number[];
  /** Where the pair came from (miner, tree node, values), for metrics and debugging. */
  meta?: Record<string, unknown>;
}

/**
 * What is wrong with `sample.preference`, naming the field, or undefined when it is absent or valid.
 * Used by JSONL loaders, so a bad line fails with its line number and the field at fault.
 */
export function preferenceProblem(preference: unknown): string | undefined {
  if (preference === undefined) return undefined;
  if (typeof preference !== 'object' || preference === null || Array.isArray(preference)) {
    return '"preference" must be an object {"chosen", "rejected", "chosenGuidance"?, "rejectedGuidance"?}';
  }
  const p = preference as Record<string, unknown>;
  const allowed = ['chosen', 'rejected', 'chosenGuidance', 'rejectedGuidance'];
  const unknown = Object.keys(p).filter((k) => !allowed.includes(k));
  if (unknown.length) return `preference.${unknown[0]} is not a known field; fields: ${allowed.join(', ')}`;
  for (const side of ['chosen', 'rejected'] as const) {
    if (typeof p[side] !== 'string') return `preference.${side} must be a string (the response text); got ${JSON.stringify(p[side]) ?? 'nothing'}`;
    if ((p[side] as string).length === 0) return `preference.${side} is empty; give the response text`;
  }
  if (p.chosen === p.rejected) return 'preference.chosen and preference.rejected are the same text; a pair needs two different responses';
  for (const field of ['chosenGuidance', 'rejectedGuidance'] as const) {
    const g = p[field];
    if (g === undefined) continue;
    if (!Array.isArray(g)) return `preference.${field} must be an array of numbers (one per response token)`;
    const bad = g.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (bad >= 0) return `preference.${field}[${bad}] must be a finite number; got ${JSON.stringify(g[bad])}`;
  }
  return undefined;
}

/** Prompt ids of a sample: its messages rendered with the chat template, ready for an assistant turn. */
export function promptIdsOf(sample: Sample, tokenizer: Tokenizer): number[] {
  return tokenizer.encode(tokenizer.renderChat(sample.messages as ChatMessage[], { addGenerationPrompt: true }), { addSpecialTokens: false });
}

/**
 * Tokenises `sample.preference` once: prompt = the chat-rendered messages, each response = its text
 * followed by EOS when `appendEos`. Guidance must have one number per text token (EOS gets 0); a
 * mismatch fails naming the sample, the field and both lengths.
 */
export function tokenizePreference(sample: Sample, tokenizer: Tokenizer, options: { appendEos?: boolean } = {}): PreferencePair {
  const p = sample.preference;
  if (!p) {
    throw new TirlError(`sample "${sample.id}" has no "preference" {"chosen", "rejected"}; an offline preference run needs one on every sample`, 'invalid-data');
  }
  const problem = preferenceProblem(p);
  if (problem) throw new TirlError(`sample "${sample.id}": ${problem}`, 'invalid-data');
  const eos = options.appendEos === false ? [] : [tokenizer.eosTokenId];
  const encode = (text: string) => tokenizer.encode(text, { addSpecialTokens: false });
  const chosen = encode(p.chosen);
  const rejected = encode(p.rejected);
  const guidance = (field: 'chosenGuidance' | 'rejectedGuidance', ids: number[]) => {
    const g = p[field];
    if (g === undefined) return undefined;
    if (g.length !== ids.length) {
      throw new TirlError(
        `sample "${sample.id}": preference.${field} has ${g.length} numbers but the response has ${ids.length} tokens under this tokenizer; give one number per token`,
        'invalid-data',
      );
    }
    return [...g, ...eos.map(() => 0)];
  };
  const chosenGuidance = guidance('chosenGuidance', chosen);
  const rejectedGuidance = guidance('rejectedGuidance', rejected);
  return {
    id: sample.id,
    sampleId: sample.id,
    promptIds: promptIdsOf(sample, tokenizer),
    chosenIds: [...chosen, ...eos],
    rejectedIds: [...rejected, ...eos],
    ...(chosenGuidance ? { chosenGuidance } : {}),
    ...(rejectedGuidance ? { rejectedGuidance } : {}),
  };
}
