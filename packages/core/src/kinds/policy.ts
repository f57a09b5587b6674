import type { SegmentImage } from '../data/trajectory';
import type { Rng } from '../random/rng';

/** A chat message for chat templates. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | string;
  content: string;
  /** Images shown before the text (vision-language policies render them through `encodeChat`). */
  images?: SegmentImage[];
}

/** A prompt rendered and tokenised by a vision-language policy: ids with each image's tokens, and the images in order. */
export interface EncodedChat {
  ids: number[];
  text: string;
  images: SegmentImage[];
}

/** What the rollout engine needs of a tokenizer. */
export interface Tokenizer {
  readonly vocabSize: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  /** Renders messages with the model's own chat template. */
  renderChat(messages: readonly ChatMessage[], options?: { addGenerationPrompt?: boolean; tools?: unknown[] }): string;
}

/** Statistics of log-entropies of a previous step (HAPO): pivot, scale and the branch scales. */
export interface AdaptiveTemperature {
  tau: number;
  /** Pivot (quantile) of log-entropy. */
  med: number;
  std: number;
  /** Scale of h > 0 (1 / max h). */
  scalePos: number;
  /** Scale of h < 0: 1/|min h| (paper, ĥ ≤ 0) or 1/min h (released code, ĥ ≥ 0). */
  scaleNeg: number;
}

export interface DecodeOptions {
  maxNewTokens: number;
  temperature?: number;
  topP?: number;
  /** 0 disables top-k. */
  topK?: number;
  stopTokenIds?: readonly number[];
  /** Generation stops right after the tokens that complete one of these strings. */
  stopStrings?: readonly string[];
  returnEntropy?: boolean;
  /**
   * HAPO's per-token temperature: T_t = T·(1 + tau·ĥ_t), ĥ_t from the entropy of the token's raw
   * distribution against the statistics of the previous step (`entropyTemperature` in @tirl/policy).
   */
  adaptiveTemperature?: AdaptiveTemperature;
}

/** The stream row `i` of a generate call draws from: its own when one stream per row is given. */
export function rowRng(rng: Rng | readonly Rng[], i: number, rows: number): Rng {
  if (!Array.isArray(rng)) return rng as Rng;
  if (rng.length !== rows) throw new RangeError(`generate: ${rng.length} random streams for ${rows} rows; pass one per row or a single one`);
  return rng[i];
}

export interface DecodeResult {
  tokenIds: number[];
  /** Behaviour log-prob of each generated token under the sampling distribution's model. */
  logProbs: number[];
  entropies?: number[];
  finishReason: 'stop_token' | 'stop_string' | 'length';
  /** The stop string that ended generation, if any. */
  stopString?: string;
}

/**
 * Live sequences with a KV cache. Rows are added with prompts, extended with `append` (tool output,
 * already tokenised) and continued with `generate` without recomputing their prefix.
 */
export interface PolicySession {
  /**
   * Adds a sequence; returns its row id. Vision-language sessions (`acceptsImages`) take the prompt's
   * images too, whose tokens are already in `promptIds` (from `PolicyGenerator.encodeChat`); the cache
   * covers them at the next generate. Text-only sessions take no images.
   */
  add(promptIds: readonly number[], images?: readonly SegmentImage[]): number;
  /** Appends tokens to a row (computed into the cache on the next generate). */
  append(row: number, ids: readonly number[]): void;
  /**
   * Vision-language sessions: appends an image to a row and returns the token ids that now stand for it
   * (its markers and image-token runs); the cache covers them at the next generate. Absent on text-only
   * policies.
   */
  appendImage?(row: number, image: SegmentImage): number[];
  /** Tokens {@link appendImage} would add for this image, without adding it. */
  imageTokenCost?(image: SegmentImage): number;
  /** True when {@link appendImage} works (a vision-language policy). */
  readonly acceptsImages?: boolean;
  /**
   * Generates for the given rows together; results are in the order of `rows`. `rng` is one stream the rows
   * draw from in turn, or one stream per row (`rng[i]` for `rows[i]`), so that what a row samples does not
   * depend on which other rows share its batch.
   */
  generate(rows: readonly number[], options: DecodeOptions, rng: Rng | readonly Rng[]): Promise<DecodeResult[]>;
  /** A new row sharing this row's tokens and cache (for tree branching). */
  fork(row: number): number;
  /** Total tokens in a row. */
  length(row: number): number;
  /** Frees a row's cache. */
  release(row: number): void;
  /** Frees everything. */
  dispose(): void;
}

/** The generating side of a policy, as the rollout engine sees it. */
export interface PolicyGenerator {
  readonly tokenizer: Tokenizer;
  /** Maximum context length in tokens. */
  readonly maxContext: number;
  startSession(): PolicySession;
  /**
   * Vision-language policies: renders chat messages (with their `images`) in the model's own chat
   * template and tokenises them, each image expanded into its tokens. Absent on text-only policies.
   */
  encodeChat?(messages: readonly ChatMessage[], options?: { addGenerationPrompt?: boolean }): EncodedChat;
}
